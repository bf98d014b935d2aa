// Pure: module aliases that name the source's hardware drivers, in modprobe's configuration
// (VIRT-V2V.md §4.2 step 13). Old initrd tools and network scripts load the storage driver through
// "alias scsi_hostadapter <driver>" and NICs through "alias ethN <driver>": on the target those
// must name virtio_blk and virtio_net (or the emulated e1000 when the kernel has no virtio).
import type { ConfigEdit, ConfigEditResult, EditFacts, GuestText } from "./family.js";

export const MODPROBE_FILES = ["/etc/conf.modules", "/etc/modules.conf", "/etc/modprobe.conf", "/etc/modprobe.conf.local"] as const;
export const MODPROBE_DIR = "/etc/modprobe.d";

const ALIAS = /^(\s*alias\s+)(\S+)(\s+)(\S+)(.*)$/;

export interface AliasState {
  /** True once a scsi_hostadapter alias was kept (as virtio_blk): the others are removed. */
  readonly blockAliasKept: boolean;
}

export interface AliasEdit {
  readonly text: string;
  readonly state: AliasState;
  readonly changes: readonly string[];
  /** Aliases to Xen drivers, which nothing on the target provides. */
  readonly xenAliases: readonly string[];
}

/**
 * Rewrite one file's aliases. `virtio`: the target has virtio disks and NICs. The first
 * scsi_hostadapter* alias of all files (`state`) becomes virtio_blk and later ones are removed; on
 * an emulated target every one is removed (the IDE/SATA drivers are built in or loaded by udev).
 */
export function rewriteModprobeAliases(text: string, virtio: boolean, state: AliasState): AliasEdit {
  let kept = state.blockAliasKept;
  const changes: string[] = [];
  const xenAliases: string[] = [];
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = ALIAS.exec(line);
    if (!m) { out.push(line); continue; }
    const [, pre, name, sep, module, rest] = m as unknown as [string, string, string, string, string, string];
    if (/^scsi_hostadapter\w*$/.test(name)) {
      if (virtio && !kept) {
        kept = true;
        const updated = `${pre}scsi_hostadapter${sep}virtio_blk${rest}`;
        if (updated !== line) changes.push(`alias ${name} ${module} -> alias scsi_hostadapter virtio_blk`);
        out.push(updated);
      } else {
        changes.push(`removed alias ${name} ${module}`);
      }
      continue;
    }
    if (/^eth\d+$/.test(name)) {
      const nic = virtio ? "virtio_net" : "e1000";
      if (module !== nic) changes.push(`alias ${name} ${module} -> ${nic}`);
      out.push(`${pre}${name}${sep}${nic}${rest}`);
      continue;
    }
    if (/^xen/.test(module.replace(/_/g, "-"))) xenAliases.push(`alias ${name} ${module}`);
    out.push(line);
  }
  return { text: out.join("\n"), state: { blockAliasKept: kept }, changes, xenAliases };
}

export const modprobeAliasEdit: ConfigEdit = {
  name: "modprobe aliases",
  paths: MODPROBE_FILES,
  dirs: [{ dir: MODPROBE_DIR, names: /^[^.].*\.conf$/ }],
  apply(files: readonly GuestText[], facts: EditFacts): ConfigEditResult {
    let state: AliasState = { blockAliasKept: false };
    const written: GuestText[] = [];
    const changes: string[] = [];
    const warnings: string[] = [];
    for (const f of files) {
      const r = rewriteModprobeAliases(f.text, facts.kernel !== undefined, state);
      state = r.state;
      if (r.text !== f.text) {
        written.push({ path: f.path, text: r.text });
        changes.push(`rewrote module aliases in ${f.path}: ${r.changes.join(", ")}`);
      }
      if (r.xenAliases.length > 0) {
        warnings.push(`${f.path} has ${r.xenAliases.join(", ")}, a Xen driver that does not exist on KVM; remove it after the first boot`);
      }
    }
    return { written, changes, warnings };
  },
};
