import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { once } from "node:events";
import type { Command } from "commander";
import { loadClipTokenizer, type ClipTokenizer } from "@/lib/models/tokenizer";

/**
 * One JSON array of ids per input line, start and end tokens included, never truncated. A line
 * keeps its trailing spaces (the tokenizer's own whitespace cleaning deals with them); "\n",
 * "\r\n" and a lone "\r" end lines, as Node's readline reads them. Returns the number of lines.
 */
export async function tokenizeLines(tokenizer: ClipTokenizer, input: Readable, output: Writable): Promise<number> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let count = 0;
  let pending = "";
  const flush = async () => {
    // Batched writes, waiting for the pipe to drain, so big inputs stream in bounded memory.
    if (pending && !output.write(pending)) await once(output, "drain");
    pending = "";
  };
  for await (const line of lines) {
    pending += JSON.stringify(tokenizer.encode(line)) + "\n";
    count++;
    if (pending.length > 64 * 1024) await flush();
  }
  await flush();
  return count;
}

export function registerTokenizeCommand(program: Command): void {
  program
    .command("tokenize")
    .description(
      "print the CLIP token ids of each line of stdin as a JSON array (start and end tokens included, not truncated)",
    )
    .requiredOption(
      "--vocab <path>",
      "the CLIP merges file (bpe_simple_vocab_16e6.txt.gz), a Hugging Face tokenizer.json, or a model folder with either",
    )
    .action(async (opts: { vocab: string }) => {
      const tokenizer = loadClipTokenizer(opts.vocab);
      // `fieldmark tokenize | head` closing the pipe early is not an error.
      process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
        process.exit(0);
      });
      await tokenizeLines(tokenizer, process.stdin, process.stdout);
    });
}
