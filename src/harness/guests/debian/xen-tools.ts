// A stand-in for Xen's guest tools in a Xen-born Debian guest: a real .deb named
// xe-guest-utilities (the package XenServer/XCP-ng guests carry), made with dpkg-deb and installed
// with dpkg, so the guest's package database lists it as an install would. Its programs do
// nothing: the guest never runs on Xen. The converter must remove it, as virt-v2v does.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { run } from "../../../host/exec.js";

export const XEN_TOOLS_PACKAGE = "xe-guest-utilities";
const VERSION = "7.30.0-1";

/** Pure: the package's files (control file first), path relative to the package root. */
export function xenToolsPackageFiles(): readonly { readonly path: string; readonly mode: number; readonly text: string }[] {
  const noop = (what: string): string => `#!/bin/sh\n# v2v-ts stand-in for ${what} (Xen guest tools); does nothing off Xen.\nexit 0\n`;
  return [
    {
      path: "DEBIAN/control", mode: 0o644,
      text: [
        `Package: ${XEN_TOOLS_PACKAGE}`, `Version: ${VERSION}`, "Architecture: amd64", "Maintainer: v2v-ts reference guests <v2v-ts@localhost>",
        "Section: admin", "Priority: optional", "Description: Xen guest tools (v2v-ts stand-in)",
        " Stands in for XenServer's guest utilities in a Xen-born reference guest.", "",
      ].join("\n"),
    },
    { path: "usr/sbin/xe-daemon", mode: 0o755, text: noop("xe-daemon") },
    { path: "usr/sbin/xe-linux-distribution", mode: 0o755, text: noop("xe-linux-distribution") },
    {
      path: "lib/systemd/system/xe-linux-distribution.service", mode: 0o644,
      text: "[Unit]\nDescription=Xen guest tools (v2v-ts stand-in)\nConditionVirtualization=xen\n\n[Service]\nExecStart=/usr/sbin/xe-daemon\n\n[Install]\nWantedBy=multi-user.target\n",
    },
  ];
}

/** Build the .deb under `workDir` with dpkg-deb; returns its path. */
export async function buildXenToolsDeb(workDir: string): Promise<string> {
  const root = join(workDir, "xen-tools-pkg");
  for (const f of xenToolsPackageFiles()) {
    await mkdir(dirname(join(root, f.path)), { recursive: true });
    await writeFile(join(root, f.path), f.text, { mode: f.mode });
  }
  const deb = join(workDir, `${XEN_TOOLS_PACKAGE}_${VERSION}_amd64.deb`);
  await run(["dpkg-deb", "--root-owner-group", "--build", root, deb], { timeoutMs: 120_000 });
  return deb;
}
