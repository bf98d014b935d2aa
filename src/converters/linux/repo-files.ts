// Pure: package repositories that point at VMware (yum's /etc/yum.repos.d, zypper's
// /etc/zypp/repos.d, both INI files) get enabled=0. They serve VMware's tools, which are removed,
// and on KVM an update from them would bring the tools back.
import type { ConfigEdit, ConfigEditResult, GuestText } from "./family.js";

const VMWARE_URL = /^\s*(baseurl|mirrorlist|metalink)\s*=.*\bvmware\.com\b/i;

interface RepoEdit { readonly text: string; readonly disabled: readonly string[] }

/** enabled=0 in every [section] whose baseurl, mirrorlist or metalink names vmware.com. */
export function disableVmwareRepos(text: string): RepoEdit {
  const lines = text.split("\n");
  // Sections as [start line, end line) with their name.
  const sections: { name: string; start: number; end: number }[] = [];
  lines.forEach((line, i) => {
    const m = /^\s*\[([^\]]*)\]/.exec(line);
    if (m) {
      const last = sections[sections.length - 1];
      if (last) last.end = i;
      sections.push({ name: m[1]!, start: i, end: lines.length });
    }
  });
  const disabled: string[] = [];
  // Backwards, so that inserting a line keeps the earlier sections' indexes right.
  for (const s of [...sections].reverse()) {
    const body = lines.slice(s.start + 1, s.end);
    if (!body.some((l) => VMWARE_URL.test(l))) continue;
    const at = body.findIndex((l) => /^\s*enabled\s*=/.test(l));
    if (at >= 0 && /^\s*enabled\s*=\s*0\s*$/.test(body[at]!)) continue;
    if (at >= 0) lines[s.start + 1 + at] = "enabled=0";
    else lines.splice(s.start + 1, 0, "enabled=0");
    disabled.unshift(s.name);
  }
  return { text: lines.join("\n"), disabled };
}

/** The ConfigEdit for a directory of .repo files. */
export function vmwareRepoEdit(dir: string): ConfigEdit {
  return {
    name: "VMware repositories",
    dirs: [{ dir, names: /\.repo$/ }],
    apply(files: readonly GuestText[]): ConfigEditResult {
      const written: GuestText[] = [];
      const changes: string[] = [];
      for (const f of files) {
        const r = disableVmwareRepos(f.text);
        if (r.disabled.length === 0) continue;
        written.push({ path: f.path, text: r.text });
        changes.push(`disabled the VMware repository ${r.disabled.map((n) => `[${n}]`).join(", ")} in ${f.path} (enabled=0): it serves VMware's guest tools`);
      }
      return { written, changes, warnings: [] };
    },
  };
}
