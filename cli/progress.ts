// A progress bar on stderr for long CLI jobs: redrawn in place on a terminal, a line every few
// seconds when stderr is a log file.

export function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastLog = 0;
  return {
    update(done: number, total: number, extra = "") {
      const pct = total ? Math.min(1, done / total) : 1;
      const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
      const width = 30;
      const bar = "#".repeat(Math.round(pct * width)).padEnd(width, "-");
      const line = `${label} [${bar}] ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} (${(pct * 100).toFixed(0)}%) ${rate.toFixed(1)}/s${extra ? ` ${extra}` : ""}`;
      if (tty) process.stderr.write(`\r${line}`);
      else if (Date.now() - lastLog > 5_000 || done >= total) {
        process.stderr.write(`${line}\n`);
        lastLog = Date.now();
      }
    },
    end() {
      if (tty) process.stderr.write("\n");
    },
  };
}
