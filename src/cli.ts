#!/usr/bin/env node
// The v2v command: argv -> options -> runConversion. The only place that prints errors and
// sets the exit status; SIGINT/SIGTERM run the cleanups so nothing half-written is left behind.
import { formatHelp } from "./cli/help.js";
import { listCapabilities } from "./cli/capabilities.js";
import { parseArgs, type ParseResult } from "./cli/parse-args.js";
import { formatError, JsonReporter, TextReporter } from "./cli/reporter.js";
import { formatVersion } from "./model/version.js";
import { runCleanups } from "./host/cleanup.js";
import { setTraceHook, stopChildren } from "./host/exec.js";
import { V2vError } from "./model/errors.js";
import { runConversion } from "./pipeline/run.js";

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ParseResult;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    process.stderr.write(formatError(e, { machineReadable: argv.some((a) => a.startsWith("--machine-readable")) }).stderr);
    return 1;
  }
  switch (parsed.kind) {
    case "help":
      process.stdout.write(formatHelp());
      return 0;
    case "version":
      process.stdout.write(formatVersion());
      return 0;
    case "capabilities":
      process.stdout.write(`${listCapabilities().join("\n")}\n`);
      return 0;
    case "list-oo":
      process.stdout.write(`${parsed.lines.join("\n")}\n`);
      return 0;
    case "run":
      break;
  }
  const o = parsed.options;
  const reporter = o.machineReadable
    ? new JsonReporter(process.stdout, { verbose: o.verbose })
    : new TextReporter(process.stdout, process.stderr, { quiet: o.quiet, verbose: o.verbose, isTTY: Boolean(process.stdout.isTTY) });
  if (o.trace) setTraceHook((cmd) => process.stderr.write(`+ ${cmd.join(" ")}\n`));

  // The first SIGINT/SIGTERM ends the run; later ones are ignored (not fatal) so that a second
  // Ctrl-C cannot cut the cleanup short and leave files or an appliance behind.
  const interrupted = new Promise<never>((_, reject) => {
    let seen = false;
    const stop = (sig: string): void => {
      if (seen) return;
      seen = true;
      reject(new V2vError("INTERRUPTED", `interrupted by ${sig}; temporary files and unfinished output were removed`));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
  try {
    const result = await Promise.race([runConversion(o, reporter), interrupted]);
    if (result.printedSource !== undefined) process.stdout.write(result.printedSource);
    return 0;
  } catch (e) {
    // Children first (and wait for them), so that no tool writes a file after it was removed.
    await stopChildren();
    await runCleanups();
    const f = formatError(e, { machineReadable: o.machineReadable, verbose: o.verbose });
    process.stderr.write(f.stderr);
    process.stdout.write(f.stdout);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`v2v: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
