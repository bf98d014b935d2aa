// The command-line checks every input mode shares, driven by its spec: how many sources, whether
// -if applies, the -io keys it declares. Pure; each refusal names the option and the fix.
import { badOption } from "../model/errors.js";
import { choice, parseModeKeys } from "../model/mode-options.js";
import type { InputArgs, InputSpec } from "../model/modes.js";
import type { ImageFormat, InputOptions } from "../model/types.js";

export interface ParsedInputArgs {
  readonly options: InputOptions;
  readonly keys: ReadonlyMap<string, string | boolean>;
}

export function parseInputArgs(spec: InputSpec, args: InputArgs): ParsedInputArgs {
  const owner = `-i ${spec.name}`;
  const keys = parseModeKeys("-io", owner, spec.keys, args.keys);
  let inputFormat: ImageFormat | undefined;
  if (args.format !== undefined) {
    if (!spec.acceptsInputFormat) throw badOption(`-if does not apply to ${owner}: its source names its own disk formats; remove -if`);
    inputFormat = choice<ImageFormat>("-if", args.format, ["raw", "qcow2", "vmdk"]);
  }
  const n = args.sources.length;
  if (n === 0) throw badOption(`no source given: name the ${spec.sourceNoun} after the options`);
  if (spec.maxSources !== undefined && n > spec.maxSources) {
    throw badOption(`${owner} takes exactly ${spec.maxSources === 1 ? "one" : spec.maxSources} ${spec.sourceNoun}, but ${n} were given`);
  }
  return { options: { mode: spec.name, args: args.sources, ...(inputFormat !== undefined ? { inputFormat } : {}) }, keys };
}
