// -o kubevirt: NAME-sdX disks and NAME.yaml (a KubeVirt VirtualMachine using hostDisk volumes) in
// the -os directory. Like virt-v2v, the guest name must be a Kubernetes name (RFC 1123), and the run
// is refused otherwise with a suggested -on. Unlike virt-v2v, -of qcow2 is refused: KubeVirt opens a
// hostDisk as a raw image, so a qcow2 target would not boot (and so there is no -oo compressed).
import { join, resolve } from "node:path";
import { badOption } from "../../model/errors.js";
import { readVersion } from "../../model/version.js";
import { quoteForMessage } from "../../model/untrusted.js";
import type { OutputModule } from "../../model/contracts.js";
import type { OutputOptions } from "../../model/types.js";
import { parseOutputArgs } from "../common/output-options.js";
import { metadataFileName, planDirOutput, validateDirOutput, writeFileAtomic } from "../common/output-dir.js";
import { isKubernetesName, kubevirtCaveats, renderKubevirtYaml, suggestKubernetesName } from "./kubevirt-yaml.js";

/** Refuse a guest name Kubernetes would refuse as metadata.name; the fix suggests a valid -on. */
export function checkKubevirtName(name: string): void {
  if (isKubernetesName(name)) return;
  throw badOption(
    `-o kubevirt: the guest name ${quoteForMessage(name)} is not a valid Kubernetes name (lower-case letters, digits, '-' and '.', ` +
    `starting and ending with a letter or digit, at most 253 characters); rename the guest with -on, e.g. -on ${suggestKubernetesName(name)}`,
  );
}

function checkRawFormat(opts: Pick<OutputOptions, "format">): void {
  if (opts.format !== "raw") {
    throw badOption(`-o kubevirt: -of ${String(opts.format)} is not supported: KubeVirt reads hostDisk volumes as raw images; use -of raw (the default)`);
  }
}

export const kubevirtOutput: OutputModule = {
  spec: {
    name: "kubevirt",
    aliases: [],
    help: "write NAME-sda... and NAME.yaml (a KubeVirt VirtualMachine) into -os DIR",
    storage: "required",
    writesDisks: true,
    metadataSuffixes: [".yaml"],
    keys: [],
  },
  parseOptions(args) {
    const opts = parseOutputArgs(kubevirtOutput.spec, args).options;
    checkRawFormat(opts);
    if (opts.name !== undefined) checkKubevirtName(opts.name);
    return opts;
  },
  async validate(opts) {
    checkRawFormat(opts);
    await validateDirOutput(kubevirtOutput.spec, opts);
  },
  async plan(targetName, source, opts) {
    checkKubevirtName(targetName);
    return planDirOutput(kubevirtOutput.spec, targetName, source, opts);
  },
  async finalize(meta, opts, ctx) {
    for (const w of kubevirtCaveats(meta)) ctx.reporter.warning(w);
    const hypervisor = meta.sourceHypervisor;
    const yaml = renderKubevirtYaml(meta, { version: readVersion(), ...(hypervisor ? { sourceHypervisor: hypervisor } : {}) });
    const path = join(resolve(opts.storage ?? "."), metadataFileName(kubevirtOutput.spec, meta.name));
    await writeFileAtomic(path, yaml);
    return [path];
  },
};
