// Runs `tokenize` the way `fieldmark tokenize` does, for the end-to-end test, without needing
// the command registered in cli/index.ts: `npx tsx tests/models/tokenize-command.ts tokenize --vocab ...`.
import { Command } from "commander";
import { registerTokenizeCommand } from "@/cli/commands/tokenize";

const program = new Command("fieldmark");
registerTokenizeCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
