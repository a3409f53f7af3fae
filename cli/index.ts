import { Command } from "commander";

// `fieldmark <command>`: a thin layer over lib/. Each command file registers its own subcommands.
// Only the command being run is loaded (all of them for help or an unknown name): the lib/ modules
// behind some commands (encoders, the web server, the worker) take seconds to load, and `fieldmark eval`
// or `tokenize` should not wait for them.

type Registrar = (program: Command) => void;
const COMMANDS: Record<string, () => Promise<Registrar>> = {
  start: async () => (await import("./commands/start")).registerStartCommand,
  worker: async () => (await import("./commands/worker")).registerWorkerCommand,
  users: async () => (await import("./commands/users")).registerUserCommands,
  import: async () => (await import("./commands/import")).registerImportCommand,
  collections: async () => (await import("./commands/collections")).registerCollectionCommands,
  models: async () => (await import("./commands/models")).registerModelCommands,
  embed: async () => (await import("./commands/embed")).registerEmbedCommand,
  embeddings: async () => (await import("./commands/embeddings")).registerEmbeddingsCommand,
  search: async () => (await import("./commands/search")).registerSearchCommand,
  queries: async () => (await import("./commands/queries")).registerQueryCommands,
  eval: async () => (await import("./commands/eval")).registerEvalCommand,
  report: async () => (await import("./commands/report")).registerReportCommand,
  export: async () => (await import("./commands/export")).registerExportCommand,
  simulate: async () => (await import("./commands/simulate")).registerSimulateCommand,
  tokenize: async () => (await import("./commands/tokenize")).registerTokenizeCommand,
  backup: async () => (await import("./commands/backup")).registerBackupCommands,
  restore: async () => (await import("./commands/backup")).registerBackupCommands,
};

const program = new Command("fieldmark")
  .description("Build exhaustively labeled text-to-image retrieval benchmarks over natural-world photo collections")
  .showHelpAfterError();

try {
  const name = process.argv[2];
  const wanted = name && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const registrar of await Promise.all(wanted.map((n) => COMMANDS[n]()))) registrar(program);
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
