// argv -> RunOptions (or help/version/capabilities/-oo ? listing), virt-v2v compatible.
//
// clipanion does the tokenising (flags, `-vx` groups, `--`, `NAME=VALUE`, unknown names); the
// decisions about values and combinations are plain functions below, so every error names
// the option and the fix.
// The explicit CommonJS entry: clipanion 3.2.1 has no "exports" map, and bundler-style resolvers
// (vitest) would otherwise pick lib/advanced/index.mjs, whose directory import Node refuses.
import { Cli, Command, Option } from "clipanion/lib/advanced/index.js";
import { badOption, type V2vError } from "../model/errors.js";
import { listModeKeys } from "../model/mode-options.js";
import type { InputArgs, OutputArgs } from "../model/modes.js";
import type { BlockDriver, RootChoice, RunOptions } from "../model/types.js";
import type { InputModule, OutputModule } from "../model/contracts.js";
import { parseKeyOption } from "./luks-keys.js";
import { findInput, findOutput, INPUTS, INPUTS_NOT_YET, OUTPUTS, OUTPUTS_NOT_YET } from "../pipeline/registry.js";

export type ParseResult =
  | { readonly kind: "run"; readonly options: RunOptions }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "capabilities" }
  | { readonly kind: "list-oo"; readonly lines: readonly string[] };

/** Options that take a value (`-os DIR` or `-os=DIR`). Only `-oo` and `-io` may be repeated. */
export const VALUE_OPTIONS = ["-i", "-o", "-os", "-on", "-of", "-oa", "-oo", "-if", "-io", "--root", "--block-driver", "--key"] as const;

/** Value options that may be given more than once. */
const REPEATABLE = new Set<string>(["-oo", "-io", "--key"]);

/** Flags. The colour spellings and --debug-gc are accepted for compatibility and ignored. */
export const FLAG_OPTIONS = [
  "-v", "--verbose", "-x", "-q", "--quiet", "-V", "--version", "--print-source", "--compressed",
  "--qemu-boot", "--machine-readable", "--colours", "--colors", "--colour", "--color", "--debug-gc",
  "--keys-from-stdin",
] as const;

/** virt-v2v options we recognise but do not implement: they get a clearer error than "unknown". */
const NOT_IMPLEMENTED = new Set([
  "-ic", "-ip", "--password-file", "-it", "-oc", "-op", "-b", "--bridge", "-n", "--network", "--mac",
  "--echo-keys", "--bandwidth", "--bandwidth-file", "--wrap",
  "--short-options", "--long-options", "--in-place", "--no-trim", "--vmtype",
  ...["config", "cookie", "libdir", "nfchostport", "port", "snapshot", "thumbprint", "transports"].map((k) => `--vddk-${k}`),
  ...["compat", "image-uuid", "vol-uuid", "vm-uuid", "ovf-output", "ovf-flavour"].map((k) => `--vdsm-${k}`),
]);

const BATCHABLE_FLAGS = new Set(["v", "x", "q", "V"]);

class V2vCommand extends Command {
  i = Option.Array("-i", []);
  o = Option.Array("-o", []);
  os = Option.Array("-os", []);
  on = Option.Array("-on", []);
  of = Option.Array("-of", []);
  oa = Option.Array("-oa", []);
  oo = Option.Array("-oo", []);
  if = Option.Array("-if", []);
  io = Option.Array("-io", []);
  root = Option.Array("--root", []);
  blockDriver = Option.Array("--block-driver", []);
  key = Option.Array("--key", []);
  keysFromStdin = Option.Boolean("--keys-from-stdin", false);
  verbose = Option.Boolean("-v,--verbose", false);
  trace = Option.Boolean("-x", false);
  quiet = Option.Boolean("-q,--quiet", false);
  version = Option.Boolean("-V,--version", false);
  printSource = Option.Boolean("--print-source", false);
  compressed = Option.Boolean("--compressed", false);
  qemuBoot = Option.Boolean("--qemu-boot", false);
  machineReadable = Option.String("--machine-readable", { tolerateBoolean: true });
  colours = Option.Boolean("--colours,--colors,--colour,--color", false, { hidden: true });
  debugGc = Option.Boolean("--debug-gc", false, { hidden: true });
  args = Option.Rest();
  override async execute(): Promise<number> { return 0; }
}

/** What the command line said, before any value is checked. */
export interface RawArgs {
  readonly values: Readonly<Record<(typeof VALUE_OPTIONS)[number], readonly string[]>>;
  readonly verbose: boolean;
  readonly trace: boolean;
  readonly quiet: boolean;
  readonly version: boolean;
  readonly printSource: boolean;
  readonly compressed: boolean;
  readonly qemuBoot: boolean;
  readonly keysFromStdin: boolean;
  /** undefined: not given; true: given without a format; string: `--machine-readable=FORMAT`. */
  readonly machineReadable: string | boolean | undefined;
  readonly positionals: readonly string[];
}

const unknownOption = (name: string): V2vError =>
  NOT_IMPLEMENTED.has(name)
    ? badOption(`option ${name} is not implemented yet in v2v; see v2v --help for the options it supports`)
    : badOption(`unknown option ${name}; see v2v --help`);

/**
 * Join each value option with its value (`-oo x` -> `-oo=x`), as getopt does: the next word
 * is the value whatever it looks like. This also stops clipanion from reading `-oo`/`-io` as
 * a group of `-o`/`-i` flags. Groups like `-vx` may only hold flags.
 */
export function bindOptionValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  const valueNames = new Set<string>(VALUE_OPTIONS);
  const knownNames = new Set<string>([...VALUE_OPTIONS, ...FLAG_OPTIONS]);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "--") { out.push(...argv.slice(i)); break; }
    if (valueNames.has(word)) {
      const value = argv[i + 1];
      if (value === undefined) throw badOption(`option ${word} needs a value; see v2v --help`);
      out.push(`${word}=${value}`);
      i++;
      continue;
    }
    const name = word.split("=")[0] as string;
    if (word.startsWith("--no-")) throw unknownOption(name);
    if (/^-[a-zA-Z]{2,}$/.test(word) && !knownNames.has(word) && ![...word.slice(1)].every((c) => BATCHABLE_FLAGS.has(c))) {
      throw unknownOption(word);
    }
    out.push(word);
  }
  return out;
}

/** Run clipanion on the prepared words; "help" when -h/--help was given. */
function tokenise(argv: readonly string[]): RawArgs | "help" {
  const cli = new Cli({ binaryName: "v2v" });
  cli.register(V2vCommand);
  const words = bindOptionValues(argv);
  // virt-v2v takes --help anywhere; clipanion only right after the command path.
  const end = words.indexOf("--");
  if (words.slice(0, end < 0 ? undefined : end).some((x) => x === "-h" || x === "--help")) return "help";
  let cmd: Command;
  try {
    cmd = cli.process(words);
  } catch (e) {
    const reason = (e as { candidates?: { reason: string | null }[] }).candidates?.[0]?.reason ?? (e as Error).message;
    const word = /\("([^"]*)"\)/.exec(reason ?? "")?.[1];
    if (word !== undefined) throw unknownOption(word.split("=")[0] as string);
    throw badOption(`cannot read the command line (${String(reason).split("\n")[0]}); see v2v --help`);
  }
  if (!(cmd instanceof V2vCommand)) return "help";
  return {
    values: {
      "-i": cmd.i, "-o": cmd.o, "-os": cmd.os, "-on": cmd.on, "-of": cmd.of, "-oa": cmd.oa, "-oo": cmd.oo,
      "-if": cmd.if, "-io": cmd.io, "--root": cmd.root, "--block-driver": cmd.blockDriver, "--key": cmd.key,
    },
    verbose: cmd.verbose, trace: cmd.trace, quiet: cmd.quiet, version: cmd.version, printSource: cmd.printSource,
    compressed: cmd.compressed, qemuBoot: cmd.qemuBoot, keysFromStdin: cmd.keysFromStdin, machineReadable: cmd.machineReadable,
    positionals: cmd.args,
  };
}

/** Parse v2v's command line (without the node and script words). Throws V2vError BAD_OPTION. */
export function parseArgs(argv: readonly string[]): ParseResult {
  if (argv.length === 0) throw badOption("no options given: v2v needs -i MODE, -o MODE and a source; see v2v --help");
  const raw = tokenise(argv);
  if (raw === "help") return { kind: "help" };
  if (raw.version) return { kind: "version" };
  return decideRun(raw);
}

/** The pure part: check values and combinations, and build RunOptions. */
export function decideRun(raw: RawArgs): ParseResult {
  for (const name of VALUE_OPTIONS) {
    if (!REPEATABLE.has(name) && raw.values[name].length > 1) throw badOption(`option ${name} given twice; give it once`);
  }
  const one = (name: (typeof VALUE_OPTIONS)[number]): string | undefined => raw.values[name][0];

  const mr = raw.machineReadable;
  if (typeof mr === "string" && mr !== "stream:stdout") {
    throw badOption(`--machine-readable=${mr}: only stream:stdout is supported; use --machine-readable alone to write to stdout`);
  }
  const machineReadable = mr !== undefined && mr !== false;
  if (machineReadable && raw.positionals.length === 0) return { kind: "capabilities" };

  const outArg = one("-o");
  const output = outArg === undefined ? undefined : resolveOutput(outArg);
  if (raw.values["-oo"].includes("?")) {
    if (output === undefined) throw badOption("-oo ? lists the output options of one output mode: add -o MODE");
    return { kind: "list-oo", lines: listModeKeys("-oo", `-o ${output.spec.name}`, output.spec.keys) };
  }
  const inArg = one("-i");
  const input = inArg === undefined ? undefined : resolveInput(inArg);
  if (raw.values["-io"].includes("?")) {
    if (input === undefined) throw badOption("-io ? lists the input options of one input mode: add -i MODE");
    return { kind: "list-oo", lines: listModeKeys("-io", `-i ${input.spec.name}`, input.spec.keys) };
  }
  if (input === undefined) {
    throw badOption(`-i is required: v2v cannot read from libvirt (virt-v2v's default), so give -i ${INPUTS.map((m) => m.spec.name).join(" or -i ")}`);
  }
  // --print-source stops before any output is set up, so it needs no -o (as in virt-v2v).
  const out = output ?? (raw.printSource ? findOutput("null") : undefined);
  if (out === undefined) {
    throw badOption(`-o is required: v2v cannot write to libvirt (virt-v2v's default), so give -o ${orList(OUTPUTS.map((m) => m.spec.name))}`);
  }

  const outputArgs: OutputArgs = {
    mode: out.spec.name, keys: raw.values["-oo"], compressedFlag: raw.compressed, qemuBootFlag: raw.qemuBoot,
    printSource: raw.printSource,
    ...optional("storage", one("-os")), ...optional("name", one("-on")),
    ...optional("format", one("-of")), ...optional("allocation", one("-oa")),
  };
  const inputArgs: InputArgs = {
    mode: input.spec.name, sources: raw.positionals, keys: raw.values["-io"], ...optional("format", one("-if")),
  };
  const options: RunOptions = {
    // Output first: its problems (a missing -os) are found before the source is looked at.
    output: out.parseOptions(outputArgs),
    input: input.parseOptions(inputArgs),
    root: parseRootChoice(one("--root") ?? "ask"),
    blockDriver: parseBlockDriver(one("--block-driver") ?? "virtio-blk"),
    keys: raw.values["--key"].map(parseKeyOption),
    keysFromStdin: raw.keysFromStdin,
    verbose: raw.verbose,
    trace: raw.trace,
    quiet: raw.quiet,
    machineReadable,
    printSource: raw.printSource,
  };
  return { kind: "run", options };
}

/** `--block-driver`: the virtio disk driver a Windows guest boots from. */
export function parseBlockDriver(value: string): BlockDriver {
  if (value === "virtio-blk" || value === "virtio-scsi") return value;
  throw badOption(`--block-driver ${value}: use virtio-blk (the default) or virtio-scsi`);
}

/** "a, b or c". */
const orList = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;

const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };

/** Resolve a -i/-o value: a mode (or alias) in the registry, one virt-v2v has that we lack, or unknown. */
function resolveMode<M extends InputModule | OutputModule>(
  flag: "-i" | "-o", kind: string, value: string, found: M | undefined, all: readonly M[], notYet: readonly string[],
): M {
  if (found) return found;
  const supported = all.map((m) => m.spec.name).join(", ");
  if (notYet.includes(value)) throw badOption(`${flag} ${value}: this ${kind} mode is not implemented yet; supported: ${supported}`);
  throw badOption(`${flag} ${value}: unknown ${kind} mode; supported: ${supported}`);
}

export const resolveInput = (value: string): InputModule =>
  resolveMode("-i", "input", value, findInput(value), INPUTS, INPUTS_NOT_YET);

export const resolveOutput = (value: string): OutputModule =>
  resolveMode("-o", "output", value, findOutput(value), OUTPUTS, OUTPUTS_NOT_YET);

export function parseRootChoice(value: string): RootChoice {
  if (value === "ask" || value === "single" || value === "first") return { kind: value };
  if (/^\/dev\/\S+$/.test(value)) return { kind: "device", device: value };
  throw badOption(`--root ${value}: expected ask, single, first or a device such as /dev/sda2`);
}
