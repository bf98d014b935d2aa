// The contracts each input, converter and output module implements. The driver (run.ts) only
// talks to modules through these, so adding `-i vmx` or `-o kubevirt` means adding one module
// and one line in registry.ts.
import type { GuestHandle } from "./guest-handle.js";
import type { Reporter } from "./messages.js";
import type { InputArgs, InputSpec, OutputArgs, OutputSpec } from "./modes.js";
import type {
  BlockDriver, ConverterOutcome, Inspection, InputOptions, OutputOptions, Source, TargetMeta,
} from "./types.js";

/** What every stage may use: where to put temporary files, and how to talk to the user. */
export interface StageContext {
  /** A private temporary directory for this run; removed when the run ends, whatever happens. */
  readonly workDir: string;
  readonly reporter: Reporter;
  readonly verbose: boolean;
}

export interface InputModule<I extends InputOptions = InputOptions> {
  /** Name, options, help: what the CLI, --help and the harness know of this mode. */
  readonly spec: InputSpec;
  /** Check the command line's words for this mode (pure); throws V2vError("BAD_OPTION") with the fix. */
  parseOptions(args: InputArgs): I;
  /**
   * Read the source's metadata and check it (files exist, manifests match). Never writes to the
   * source. May create files under ctx.workDir (e.g. a decompressed disk).
   */
  readSource(opts: I, ctx: StageContext): Promise<Source>;
}

/** What the command line asks of a conversion (absent: the defaults). */
export interface ConvertOptions {
  /** `--block-driver`: the virtio disk driver a Windows guest boots from (default virtio-blk). */
  readonly blockDriver?: BlockDriver;
}

export interface Converter {
  /** "linux", "windows": used in `--machine-readable` as convert:NAME. */
  readonly name: string;
  /** What it converts, for the refusal of a guest no converter handles ("Debian-family Linux"). */
  readonly supports: string;
  /** True when this converter handles the inspected guest. */
  handles(inspection: Inspection): boolean;
  /**
   * Convert the guest in place (on the overlay, through the GuestHandle). The guest's
   * filesystems are mounted. Returns the drivers the guest now has; the target module
   * (src/target/) decides buses, machine and firmware from them.
   */
  convert(g: GuestHandle, inspection: Inspection, source: Source, ctx: StageContext, opts?: ConvertOptions): Promise<ConverterOutcome>;
  /**
   * Optional work once every step has run, on the same handle (e.g. Windows: schedule the
   * first-boot service that finishes the installation). May add changes or warnings.
   */
  postConvert?(g: GuestHandle, inspection: Inspection, outcome: ConverterOutcome, ctx: StageContext): Promise<ConverterOutcome>;
}

/** Where each target disk goes, decided before copying. */
export interface TargetPlan {
  /** Absolute path per source disk index, or undefined when the output keeps no disks (-o null). */
  readonly diskPaths: readonly (string | undefined)[];
}

export interface OutputModule<O extends OutputOptions = OutputOptions> {
  readonly spec: OutputSpec;
  /**
   * Check the command line's words for this mode (pure): which of -os/-of/-oa/-oo it takes, and
   * the fix when one is missing or does not apply. Throws V2vError("BAD_OPTION").
   */
  parseOptions(args: OutputArgs): O;
  /**
   * Check the output options before any conversion work (e.g. -os exists, -of is allowed).
   * Throws V2vError("BAD_OPTION") with the option's name and the fix.
   */
  validate(opts: O): Promise<void>;
  /** Decide target disk paths. Pure apart from reading the file system to refuse overwriting. */
  plan(targetName: string, source: Source, opts: O): Promise<TargetPlan>;
  /**
   * Write the metadata (XML, script, JSON) once all disks are copied. Returns the files written.
   * Writes to a temporary name and renames, so a metadata file only exists when it is complete.
   */
  finalize(meta: TargetMeta, opts: O, ctx: StageContext): Promise<readonly string[]>;
}
