// What an input or output mode says about itself: its name, its command-line options, its help,
// the files it writes and its capability. The registry (src/pipeline/registry.ts) lists the
// modules; --help, -oo ?/-io ?, --machine-readable, the CLI's messages, the matrix schema and the
// harness's file table are all derived from these, so a mode is described in one place only.

/** One `-oo KEY[=VALUE]` or `-io KEY[=VALUE]` key a mode accepts. */
export interface ModeKey {
  readonly key: string;
  /** The line `-oo ?` / `-io ?` prints after the key. */
  readonly help: string;
  /** "bool": KEY or KEY=true|false; "string": KEY=VALUE. */
  readonly kind: "bool" | "string";
}

export interface InputSpec {
  /** The `-i` name ("disk"). */
  readonly name: string;
  /** Other spellings accepted for `-i` ("local"). */
  readonly aliases: readonly string[];
  /** The source words in --help's usage line ("DISK.img [DISK2.img ...]"). */
  readonly usage: string;
  /** One line for --help. */
  readonly help: string;
  /** What the positional arguments are, for "no source given" ("disk image(s)"). */
  readonly sourceNoun: string;
  /** At most this many positional arguments (undefined: no limit). */
  readonly maxSources?: number;
  /** Whether `-if FORMAT` applies. */
  readonly acceptsInputFormat: boolean;
  readonly keys: readonly ModeKey[];
}

export interface OutputSpec {
  /** The `-o` name ("local"). */
  readonly name: string;
  readonly aliases: readonly string[];
  /** One line for --help. */
  readonly help: string;
  /**
   * `-os`: "required" (the fix message says what the directory receives), "forbidden" (-o null),
   * or "optional".
   */
  readonly storage: "required" | "forbidden" | "optional";
  /** Whether the mode writes target disks (and so accepts -of, -oa, --compressed). */
  readonly writesDisks: boolean;
  /** The metadata files it writes next to the disks, as suffixes of the guest's name ([".xml"]). */
  readonly metadataSuffixes: readonly string[];
  readonly keys: readonly ModeKey[];
}

/** The capability word `--machine-readable` prints for a mode. */
export const inputCapability = (s: Pick<InputSpec, "name">): string => `input:${s.name}`;
export const outputCapability = (s: Pick<OutputSpec, "name">): string => `output:${s.name}`;

/** What the command line said about the output, before the mode checks it. */
export interface OutputArgs {
  readonly mode: string;
  readonly storage?: string;
  readonly name?: string;
  /** `-of`, `-oa` as typed. */
  readonly format?: string;
  readonly allocation?: string;
  /** Every `-oo` item as typed ("compressed", "qemu-boot=false"). */
  readonly keys: readonly string[];
  /** `--compressed` and `--qemu-boot`, the flag spellings of two -oo keys. */
  readonly compressedFlag: boolean;
  readonly qemuBootFlag: boolean;
  /** `--print-source`: nothing will be written, so -os is not required. */
  readonly printSource: boolean;
}

/** What the command line said about the input. */
export interface InputArgs {
  readonly mode: string;
  readonly sources: readonly string[];
  /** `-if` as typed. */
  readonly format?: string;
  readonly keys: readonly string[];
}
