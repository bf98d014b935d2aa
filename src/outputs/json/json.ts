// -o json: NAME-sdX disks and NAME.json (the target metadata for programs) in the -os directory.
import { join, resolve } from "node:path";
import { readVersion } from "../../model/version.js";
import type { OutputModule } from "../../model/contracts.js";
import { parseOutputArgs } from "../common/output-options.js";
import { renderJsonMeta } from "./json-meta.js";
import { metadataFileName, planDirOutput, validateDirOutput, writeFileAtomic } from "../common/output-dir.js";

export const jsonOutput: OutputModule = {
  spec: {
    name: "json",
    aliases: [],
    help: "write NAME-sda... and NAME.json into -os DIR",
    storage: "required",
    writesDisks: true,
    metadataSuffixes: [".json"],
    keys: [{ key: "compressed", kind: "bool", help: "write qcow2 with compressed clusters (needs -of qcow2)" }],
  },
  parseOptions: (args) => parseOutputArgs(jsonOutput.spec, args).options,
  validate: (opts) => validateDirOutput(jsonOutput.spec, opts),
  plan: (targetName, source, opts) => planDirOutput(jsonOutput.spec, targetName, source, opts),
  async finalize(meta, opts) {
    const path = join(resolve(opts.storage ?? "."), metadataFileName(jsonOutput.spec, meta.name));
    await writeFileAtomic(path, renderJsonMeta(meta, { version: readVersion() }));
    return [path];
  },
};
