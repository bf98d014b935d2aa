// -o local (alias disk): NAME-sdX disks and a libvirt domain NAME.xml in the -os directory.
import { join, resolve } from "node:path";
import { readVersion } from "../../model/version.js";
import type { OutputModule } from "../../model/contracts.js";
import type { OutputOptions } from "../../model/types.js";
import { parseOutputArgs } from "../common/output-options.js";
import { renderLibvirtXml } from "../common/libvirt-xml.js";
import { metadataFileName, planDirOutput, requireOvmf, validateDirOutput, writeFileAtomic } from "../common/output-dir.js";

const COMPRESSED = { key: "compressed", kind: "bool", help: "write qcow2 with compressed clusters (needs -of qcow2)" } as const;

export const localOutput: OutputModule = {
  spec: {
    name: "local",
    aliases: ["disk"],
    help: "write NAME-sda... and NAME.xml (libvirt XML) into -os DIR",
    storage: "required",
    writesDisks: true,
    metadataSuffixes: [".xml"],
    keys: [COMPRESSED],
  },
  parseOptions: (args) => parseOutputArgs(localOutput.spec, args).options,
  validate: (opts) => validateDirOutput(localOutput.spec, opts),
  async plan(targetName, source, opts) {
    // A source that declares UEFI can be refused now, before any copying; "unknown" waits for finalize.
    if (source.firmware === "uefi") await requireOvmf("local", source.secureBoot === true);
    return planDirOutput(localOutput.spec, targetName, source, opts);
  },
  async finalize(meta, opts: OutputOptions) {
    const ovmf = meta.firmware === "uefi" ? await requireOvmf("local", meta.secureBoot === true) : undefined;
    const xml = renderLibvirtXml(meta, { version: readVersion(), ...(ovmf ? { ovmf } : {}) });
    const path = join(resolve(opts.storage ?? "."), metadataFileName(localOutput.spec, meta.name));
    await writeFileAtomic(path, xml);
    return [path];
  },
};
