// argv -> RunOptions (or help/version/capabilities/-oo ? listing), virt-v2v compatible.
//
// clipanion does the tokenising (flags, `-vx` groups, `--`, `NAME=VALUE`, unknown names); the
// decisions about values and combinations are plain functions below, so every error names
// the option and the fix.
// The explicit CommonJS entry: clipanion 3.2.1 has no "exports" map, and bundler-style resolvers
// (vitest) would otherwise pick lib/advanced/index.mjs, whose directory import Node refuses.
import { Cli, Command, Option } from "clipanion/lib/advanced/index.js";
import { badOption, type V2vError } from "../model/errors.js";
import {
  INPUT_MODES, OUTPUT_MODES,
  type Allocation, type ImageFormat, type InputMode, type OutputMode, type RootChoice, type RunOptions,
  type TargetFormat,
} from "../model/types.js";

export type ParseResult =
  | { readonly kind: "run"; readonly options: RunOptions }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "capabilities" }
  | { readonly kind: "list-oo"; readonly lines: readonly string[] };

/** Options that take a value (`-os DIR` or `-os=DIR`). Only `-oo` may be repeated. */
export const VALUE_OPTIONS = ["-i", "-o", "-os", "-on", "-of", "-oa", "-oo", "-if", "-io", "--root"] as const;

/** Flags. The colour spellings and --debug-gc are accepted for compatibility and ignored. */
export const FLAG_OPTIONS = [
  "-v", "--verbose", "-x", "-q", "--quiet", "-V", "--version", "--print-source", "--compressed",
  "--qemu-boot", "--machine-readable", "--colours", "--colors", "--colour", "--color", "--debug-gc",
] as const;

/** virt-v2v options we recognise but do not implement: they get a clearer error than "unknown". */
const NOT_IMPLEMENTED = new Set([
  "-ic", "-ip", "--password-file", "-it", "-oc", "-op", "-b", "--bridge", "-n", "--network", "--mac",
  "--key", "--keys-from-stdin", "--echo-keys", "--bandwidth", "--bandwidth-file", "--wrap",
  "--short-options", "--long-options", "--in-place", "--no-trim", "--vmtype",
  ...["config", "cookie", "libdir", "nfchostport", "port", "snapshot", "thumbprint", "transports"].map((k) => `--vddk-${k}`),
  ...["compat", "image-uuid", "vol-uuid", "vm-uuid", "ovf-output", "ovf-flavour"].map((k) => `--vdsm-${k}`),
]);

const INPUT_NOT_IMPLEMENTED = ["libvirt", "libvirtxml", "vmx"];
const OUTPUT_NOT_IMPLEMENTED = [
  "libvirt", "glance", "kubevirt", "openstack", "osp", "rhosp", "rhv", "ovirt", "rhev", "rhv-upload",
  "ovirt-upload", "ovirt_upload", "rhv_upload", "vdsm",
];

/** `-oo` keys per output mode, with the line `-oo ?` prints for each. */
export const OUTPUT_OPTION_KEYS: Readonly<Record<OutputMode, readonly { key: "compressed" | "qemu-boot"; help: string }[]>> = {
  local: [{ key: "compressed", help: "write qcow2 with compressed clusters (needs -of qcow2)" }],
  qemu: [
    { key: "compressed", help: "write qcow2 with compressed clusters (needs -of qcow2)" },
    { key: "qemu-boot", help: "start the guest with the generated script once it is written" },
  ],
  null: [],
  json: [{ key: "compressed", help: "write qcow2 with compressed clusters (needs -of qcow2)" }],
};

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
      "-if": cmd.if, "-io": cmd.io, "--root": cmd.root,
    },
    verbose: cmd.verbose, trace: cmd.trace, quiet: cmd.quiet, version: cmd.version, printSource: cmd.printSource,
    compressed: cmd.compressed, qemuBoot: cmd.qemuBoot, machineReadable: cmd.machineReadable,
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
    if (name !== "-oo" && raw.values[name].length > 1) throw badOption(`option ${name} given twice; give it once`);
  }
  const one = (name: (typeof VALUE_OPTIONS)[number]): string | undefined => raw.values[name][0];

  const mr = raw.machineReadable;
  if (typeof mr === "string" && mr !== "stream:stdout") {
    throw badOption(`--machine-readable=${mr}: only stream:stdout is supported; use --machine-readable alone to write to stdout`);
  }
  const machineReadable = mr !== undefined && mr !== false;
  if (machineReadable && raw.positionals.length === 0) return { kind: "capabilities" };

  const outArg = one("-o");
  const outputMode = outArg === undefined ? undefined : resolveOutputMode(outArg);
  if (raw.values["-oo"].includes("?")) {
    if (outputMode === undefined) throw badOption("-oo ? lists the output options of one output mode: add -o MODE");
    return { kind: "list-oo", lines: listOutputOptions(outputMode) };
  }
  const io = one("-io");
  if (io === "?") return { kind: "list-oo", lines: ["-i disk and -i ova have no input options (-io)."] };
  if (io !== undefined) throw badOption(`-io ${io}: -i disk and -i ova have no input options; remove -io`);

  const inArg = one("-i");
  if (inArg === undefined) {
    throw badOption("-i is required: v2v cannot read from libvirt (virt-v2v's default), so give -i disk or -i ova");
  }
  const inputMode = resolveInputMode(inArg);
  let mode = outputMode;
  if (mode === undefined) {
    // --print-source stops before any output is set up, so it needs no -o (as in virt-v2v).
    if (!raw.printSource) {
      throw badOption("-o is required: v2v cannot write to libvirt (virt-v2v's default), so give -o local, qemu, null or json");
    }
    mode = "null";
  }

  const oo = parseOutputOptionKeys(mode, raw.values["-oo"]);
  const compressed = raw.compressed || oo.compressed;
  const compressedName = raw.compressed ? "--compressed" : "-oo compressed";
  const qemuBoot = raw.qemuBoot || oo.qemuBoot;
  const format = checkChoice<TargetFormat>("-of", one("-of") ?? "raw", ["raw", "qcow2"]);
  const allocation = checkChoice<Allocation>("-oa", one("-oa") ?? "sparse", ["sparse", "preallocated"]);
  const storage = one("-os");
  const name = one("-on");

  if (mode === "null") {
    if (storage !== undefined) throw badOption("-o null writes no files: remove -os");
    if (format !== "raw") throw badOption(`-o null writes no disks: remove -of ${format}`);
    if (allocation !== "sparse") throw badOption(`-o null writes no disks: remove -oa ${allocation}`);
    if (raw.compressed) throw badOption("-o null writes no disks: remove --compressed");
  } else if (storage === undefined && !raw.printSource) {
    throw badOption(`-o ${mode} needs -os DIR: the directory to write the guest to`);
  }
  if (storage === "") throw badOption("-os needs a directory name, not an empty string");
  if (name !== undefined && (name === "" || name.includes("/"))) {
    throw badOption(`-on "${name}": the guest name must be non-empty and contain no '/', since it names files in -os`);
  }
  if (compressed && format !== "qcow2") throw badOption(`${compressedName} needs -of qcow2`);
  if (raw.qemuBoot && mode !== "qemu") throw badOption("--qemu-boot needs -o qemu");

  const ifArg = one("-if");
  const inputFormat = ifArg === undefined ? undefined : checkChoice<ImageFormat>("-if", ifArg, ["raw", "qcow2", "vmdk"]);
  if (inputFormat !== undefined && inputMode === "ova") {
    throw badOption("-if applies to -i disk only: an OVA names its own disk formats; remove -if");
  }

  const args = raw.positionals;
  if (args.length === 0) {
    throw badOption(`no source given: name the ${inputMode === "ova" ? "OVA file or directory" : "disk image(s)"} after the options`);
  }
  if (inputMode === "ova" && args.length > 1) {
    throw badOption(`-i ova takes exactly one OVA file or directory, but ${args.length} were given`);
  }

  const options: RunOptions = {
    input: { mode: inputMode, args, ...(inputFormat !== undefined ? { inputFormat } : {}) },
    output: {
      mode, format, allocation, compressed, qemuBoot,
      ...(storage !== undefined ? { storage } : {}),
      ...(name !== undefined ? { name } : {}),
    },
    root: parseRootChoice(one("--root") ?? "ask"),
    verbose: raw.verbose,
    trace: raw.trace,
    quiet: raw.quiet,
    machineReadable,
    printSource: raw.printSource,
  };
  return { kind: "run", options };
}

/** Resolve a -i/-o value: an alias, a mode we have, one virt-v2v has that we lack, or unknown. */
function resolveMode<M extends string>(
  flag: "-i" | "-o", kind: string, value: string, alias: Readonly<Record<string, M>>,
  modes: readonly M[], notImplemented: readonly string[],
): M {
  if (Object.hasOwn(alias, value)) return alias[value]!;
  if ((modes as readonly string[]).includes(value)) return value as M;
  const supported = modes.join(", ");
  if (notImplemented.includes(value)) {
    throw badOption(`${flag} ${value}: this ${kind} mode is not implemented yet; supported: ${supported}`);
  }
  throw badOption(`${flag} ${value}: unknown ${kind} mode; supported: ${supported}`);
}

export const resolveInputMode = (value: string): InputMode =>
  resolveMode("-i", "input", value, { local: "disk" }, INPUT_MODES, INPUT_NOT_IMPLEMENTED);

export const resolveOutputMode = (value: string): OutputMode =>
  resolveMode("-o", "output", value, { disk: "local" }, OUTPUT_MODES, OUTPUT_NOT_IMPLEMENTED);

/** The lines `-oo ?` prints for one output mode. */
export function listOutputOptions(mode: OutputMode): string[] {
  const keys = OUTPUT_OPTION_KEYS[mode];
  if (keys.length === 0) return [`-o ${mode} has no output options (-oo).`];
  const width = Math.max(...keys.map((k) => k.key.length));
  return [`Output options (-oo) for -o ${mode}:`, ...keys.map((k) => `  -oo ${k.key.padEnd(width)}  ${k.help}`)];
}

/** `-oo KEY[=BOOL]`, each key a boolean. Unknown keys name the ones this mode accepts. */
export function parseOutputOptionKeys(mode: OutputMode, items: readonly string[]): { compressed: boolean; qemuBoot: boolean } {
  const result = { compressed: false, qemuBoot: false };
  const keys = OUTPUT_OPTION_KEYS[mode].map((k) => k.key as string);
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!keys.includes(key)) {
      throw badOption(keys.length === 0
        ? `-o ${mode} takes no -oo options: remove -oo ${item}`
        : `-oo ${key}: not an option of -o ${mode}; valid keys: ${keys.join(", ")} (see -oo ?)`);
    }
    const on = eq < 0 ? true : parseBool(`-oo ${key}`, item.slice(eq + 1));
    if (key === "compressed") result.compressed = on;
    else result.qemuBoot = on;
  }
  return result;
}

function parseBool(what: string, value: string): boolean {
  if (["", "true", "yes", "on", "1"].includes(value)) return true;
  if (["false", "no", "off", "0"].includes(value)) return false;
  throw badOption(`${what}=${value}: expected true or false`);
}

function checkChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw badOption(`${option} ${value}: expected ${choices.join(" or ")}`);
}

export function parseRootChoice(value: string): RootChoice {
  if (value === "ask" || value === "single" || value === "first") return { kind: value };
  if (/^\/dev\/\S+$/.test(value)) return { kind: "device", device: value };
  throw badOption(`--root ${value}: expected ask, single, first or a device such as /dev/sda2`);
}
