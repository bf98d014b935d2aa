// The effect of a family's ConfigEdits (family.ts): read each edit's files, apply the pure edit,
// write what it returns and log its changes and warnings. Run before the initramfs is rebuilt,
// since mkinitrd and dracut copy modprobe aliases and /etc/sysconfig/kernel's modules into it.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { StepLog } from "../step-log.js";
import type { ConfigEdit, EditFacts, GuestText } from "./family.js";
import { listGuestFiles } from "./guest-files.js";

async function readEditFiles(g: GuestHandle, edit: ConfigEdit): Promise<readonly GuestText[]> {
  const paths = [...(edit.paths ?? [])];
  for (const d of edit.dirs ?? []) paths.push(...(await listGuestFiles(g, d.dir, d.names)));
  const out: GuestText[] = [];
  for (const path of paths) if (await g.isFile(path)) out.push({ path, text: await g.readFile(path) });
  return out;
}

export async function applyConfigEdits(g: GuestHandle, edits: readonly ConfigEdit[], facts: EditFacts, log: StepLog): Promise<void> {
  for (const edit of edits) {
    const r = edit.apply(await readEditFiles(g, edit), facts);
    for (const f of r.written) await g.writeFile(f.path, f.text);
    for (const c of r.changes) log.change(c);
    for (const w of r.warnings) log.warn(w);
  }
}
