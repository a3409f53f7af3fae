import readline from "node:readline/promises";
import type { Command } from "commander";
import { z } from "zod";
import { createUser, listUsers } from "@/lib/auth/users";
import { printJson, withDatabase } from "../run";

const addOptions = z.object({
  email: z.string().email("--email must be an email address"),
  name: z.string().min(1).optional(),
  role: z.enum(["admin", "lead", "expert"], { message: "--role must be admin, lead or expert" }),
  password: z.string().optional(),
});

async function askPassword(): Promise<string> {
  if (process.env.FIELDMARK_PASSWORD) return process.env.FIELDMARK_PASSWORD;
  if (!process.stdin.isTTY) {
    // piped: the first line of stdin is the password
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    throw new Error("no password given on stdin");
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const pw = await rl.question("password: ");
  rl.close();
  return pw;
}

export function registerUserCommands(program: Command): void {
  const users = program.command("users").description("manage accounts");
  users
    .command("add")
    .description("create an account (the first one should be an admin)")
    .requiredOption("--email <email>")
    .option("--name <name>")
    .option("--role <role>", "admin | lead | expert", "expert")
    .option("--password <password>", "otherwise FIELDMARK_PASSWORD, stdin, or a prompt")
    .action(async (raw) => {
      const parsed = addOptions.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
      const o = parsed.data;
      const password = o.password ?? (await askPassword());
      await withDatabase(async () => {
        const user = await createUser({
          email: o.email,
          name: o.name ?? o.email.split("@")[0],
          password,
          role: o.role,
        });
        console.log(`created ${user.role} ${user.email}`);
      });
    });
  users
    .command("list")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async () => {
        const all = await listUsers();
        if (opts.json) printJson(all);
        else for (const u of all) console.log(`${u.role.padEnd(7)} ${u.email}  ${u.name}`);
      });
    });
}
