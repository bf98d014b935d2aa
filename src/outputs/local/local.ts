// -o local (alias disk): NAME-sdX disks and a libvirt domain NAME.xml in the -os directory.
import { join, resolve } from "node:path";
import { readVersion } from "../../model/version.js";
import type { OutputModule } from "../../model/contracts.js";
import type { OutputOptions } from "../../model/types.js";
import { renderLibvirtXml } from "../common/libvirt-xml.js";
import { metadataFileName, planDirOutput, requireOvmf, validateDirOutput, writeFileAtomic } from "../common/output-dir.js";

export const localOutput: OutputModule = {
  mode: "local",
  validate: (opts) => validateDirOutput("local", opts),
  async plan(targetName, source, opts) {
    // A source that declares UEFI can be refused now, before any copying; "unknown" waits for finalize.
    if (source.firmware === "uefi") await requireOvmf("local");
    return planDirOutput("local", targetName, source, opts);
  },
  async finalize(meta, opts: OutputOptions) {
    const ovmf = meta.firmware === "uefi" ? await requireOvmf("local") : undefined;
    const xml = renderLibvirtXml(meta, { version: readVersion(), ...(ovmf ? { ovmf } : {}) });
    const path = join(resolve(opts.storage ?? "."), metadataFileName("local", meta.name));
    await writeFileAtomic(path, xml);
    return [path];
  },
};
