// /etc/sysconfig/kernel's DEFAULTKERNEL: the kernel package whose updates become the default.
// When the chosen kernel is another flavour (the RHCK instead of Oracle's UEK, or the reverse), a
// later update would otherwise switch the guest back to a kernel that may lack virtio.
import type { ConfigEdit, ConfigEditResult, GuestText } from "../family.js";

export const SYSCONFIG_KERNEL = "/etc/sysconfig/kernel";

/** The flavour of a kernel release ("" for the standard kernel). */
export function releaseFlavour(release: string): string {
  if (/uek/.test(release)) return "uek";
  if (/[.+]?PAE$/.test(release)) return "PAE";
  if (/[.+]debug$/.test(release)) return "debug";
  return "";
}

/** The flavour a DEFAULTKERNEL package name selects: kernel, kernel-core -> ""; kernel-uek(-core) -> "uek". */
export const packageFlavour = (pkg: string): string => pkg.replace(/^kernel-?/, "").replace(/-?core$/, "");

/** Pure: DEFAULTKERNEL for the chosen release; unchanged when it already selects that flavour. */
export function setDefaultKernel(text: string, release: string): { text: string; from?: string; to?: string } {
  const re = /^([ \t]*DEFAULTKERNEL[ \t]*=[ \t]*)(["']?)([\w.+-]*)\2[ \t]*$/m;
  const m = re.exec(text);
  if (!m) return { text };
  const current = m[3]!;
  const flavour = releaseFlavour(release);
  if (packageFlavour(current) === flavour) return { text };
  const to = `kernel${flavour ? `-${flavour}` : ""}${current.endsWith("-core") ? "-core" : ""}`;
  return { text: text.replace(re, `${m[1]}${to}`), from: current, to };
}

export const defaultKernelEdit: ConfigEdit = {
  name: "DEFAULTKERNEL",
  paths: [SYSCONFIG_KERNEL],
  apply(files: readonly GuestText[], facts): ConfigEditResult {
    const f = files.find((x) => x.path === SYSCONFIG_KERNEL);
    if (!f || !facts.kernel) return { written: [], changes: [], warnings: [] };
    const r = setDefaultKernel(f.text, facts.kernel.version);
    if (r.to === undefined) return { written: [], changes: [], warnings: [] };
    return {
      written: [{ path: f.path, text: r.text }],
      changes: [`set DEFAULTKERNEL=${r.to} (was ${r.from}) in ${f.path}, the flavour of kernel ${facts.kernel.version}, so that kernel updates keep it`],
      warnings: [],
    };
  },
};
