// The command-line checks every output mode shares, driven by its spec: -os required or
// forbidden, -of/-oa/--compressed only where disks are written, -oo keys the mode declares.
// Pure; each refusal names the option and the fix. Modes add their own keys' meaning on top.
import { badOption } from "../../model/errors.js";
import type { OutputArgs, OutputSpec } from "../../model/modes.js";
import { choice, parseModeKeys } from "../../model/mode-options.js";
import type { Allocation, OutputOptions, TargetFormat } from "../../model/types.js";

/** The base options and the mode's own -oo keys, each parsed by its declared kind. */
export interface ParsedOutputArgs {
  readonly options: OutputOptions;
  readonly keys: ReadonlyMap<string, string | boolean>;
}

export function parseOutputArgs(spec: OutputSpec, args: OutputArgs): ParsedOutputArgs {
  const o = `-o ${spec.name}`;
  const keys = parseModeKeys("-oo", o, spec.keys, args.keys);
  if (args.compressedFlag) keys.set("compressed", true);
  if (args.qemuBootFlag) {
    if (!spec.keys.some((k) => k.key === "qemu-boot")) throw badOption("--qemu-boot needs -o qemu");
    keys.set("qemu-boot", true);
  }

  if (spec.storage === "forbidden" && args.storage !== undefined) throw badOption(`${o} writes no files: remove -os`);
  if (spec.storage === "required" && args.storage === undefined && !args.printSource) {
    throw badOption(`${o} needs -os DIR: the directory to write the guest to`);
  }
  if (args.storage === "") throw badOption("-os needs a directory name, not an empty string");

  const format = choice<TargetFormat>("-of", args.format ?? "raw", ["raw", "qcow2"]);
  const allocation = choice<Allocation>("-oa", args.allocation ?? "sparse", ["sparse", "preallocated"]);
  const compressed = keys.get("compressed") === true;
  if (!spec.writesDisks) {
    if (format !== "raw") throw badOption(`${o} writes no disks: remove -of ${format}`);
    if (allocation !== "sparse") throw badOption(`${o} writes no disks: remove -oa ${allocation}`);
    if (args.compressedFlag) throw badOption(`${o} writes no disks: remove --compressed`);
  }
  if (compressed && format !== "qcow2") throw badOption(`${args.compressedFlag ? "--compressed" : "-oo compressed"} needs -of qcow2`);

  const name = args.name;
  if (name !== undefined && (name === "" || name.includes("/"))) {
    throw badOption(`-on "${name}": the guest name must be non-empty and contain no '/', since it names files in -os`);
  }
  const options: OutputOptions = {
    mode: spec.name, format, allocation, compressed,
    ...(args.storage !== undefined ? { storage: args.storage } : {}),
    ...(name !== undefined ? { name } : {}),
  };
  return { options, keys };
}
