// -o json: NAME-sdX disks and NAME.json (the target metadata for programs) in the -os directory.
import { join, resolve } from "node:path";
import { readVersion } from "../../model/version.js";
import type { OutputModule } from "../../model/contracts.js";
import { renderJsonMeta } from "./json-meta.js";
import { metadataFileName, planDirOutput, validateDirOutput, writeFileAtomic } from "../common/output-dir.js";

export const jsonOutput: OutputModule = {
  mode: "json",
  validate: (opts) => validateDirOutput("json", opts),
  plan: (targetName, source, opts) => planDirOutput("json", targetName, source, opts),
  async finalize(meta, opts) {
    const path = join(resolve(opts.storage ?? "."), metadataFileName("json", meta.name));
    await writeFileAtomic(path, renderJsonMeta(meta, { version: readVersion() }));
    return [path];
  },
};
