import { Command } from "commander";
import { registerCollectionCommands } from "./commands/collections";
import { registerEmbedCommand } from "./commands/embed";
import { registerEmbeddingsCommand } from "./commands/embeddings";
import { registerEvalCommand } from "./commands/eval";
import { registerImportCommand } from "./commands/import";
import { registerModelCommands } from "./commands/models";
import { registerQueryCommands } from "./commands/queries";
import { registerSearchCommand } from "./commands/search";
import { registerStartCommand } from "./commands/start";
import { registerTokenizeCommand } from "./commands/tokenize";
import { registerUserCommands } from "./commands/users";
import { registerWorkerCommand } from "./commands/worker";

// `fieldmark <command>`: a thin layer over lib/. Each command file registers its own subcommands.
const program = new Command("fieldmark")
  .description("Build exhaustively labeled text-to-image retrieval benchmarks over natural-world photo collections")
  .showHelpAfterError();

registerStartCommand(program);
registerWorkerCommand(program);
registerUserCommands(program);
registerImportCommand(program);
registerCollectionCommands(program);
registerModelCommands(program);
registerEmbedCommand(program);
registerEmbeddingsCommand(program);
registerSearchCommand(program);
registerQueryCommands(program);
registerEvalCommand(program);
registerTokenizeCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
