// Run the rendered NAME.sh with a fake qemu-system-x86_64 on PATH that prints its argv, one per line:
// quoting must deliver every path intact, and V2V_ACCEL / V2V_HEADLESS must steer the command.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { run, runAllowFail } from "../../../src/host/exec.js";
import { diskArgs, renderQemuScript } from "../../../src/outputs/qemu/qemu-script.js";
import { biosVirtio, uefiGuest } from "./meta-fixtures.js";

let dir = "";
let script = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "v2v-qemu-sh-"));
  writeFileSync(join(dir, "qemu-system-x86_64"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
  script = join(dir, "guest.sh");
  writeFileSync(script, renderQemuScript(biosVirtio(), { version: "t", accel: "tcg" }));
  chmodSync(script, 0o755);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const runScript = (env: Record<string, string> = {}) =>
  runAllowFail([script], { env: { PATH: `${dir}:/usr/bin:/bin`, V2V_ACCEL: undefined, V2V_HEADLESS: undefined, ...env }, timeoutMs: 10_000 });

test("paths with a space, a quote and a comma reach qemu intact (comma doubled for qemu)", async () => {
  const argv = (await runScript()).stdout.split("\n");
  expect(argv).toContain("file=/srv/v2v out/it's,,here/debian12-bios-sda,format=raw,if=none,id=drive-0,media=disk");
  expect(argv).toContain("virtio-blk-pci,drive=drive-1,bootindex=2");
});

test("defaults to the conversion-time accelerator and shows a display", async () => {
  const r = await runScript();
  const argv = r.stdout.split("\n");
  expect(r.exitCode).toBe(0);
  expect(argv.slice(argv.indexOf("-accel"), argv.indexOf("-accel") + 2)).toEqual(["-accel", "tcg"]);
  expect(argv).toContain("-vga");
  expect(argv).not.toContain("-display");
});

test("V2V_HEADLESS=1 puts the serial console on stdio", async () => {
  const argv = (await runScript({ V2V_HEADLESS: "1" })).stdout.split("\n");
  expect(argv.join(" ")).toContain("-display none -serial stdio");
});

test("V2V_ACCEL=kvm uses kvm only when /dev/kvm is usable", async () => {
  const r = await runScript({ V2V_ACCEL: "kvm" });
  const usable = (await runAllowFail(["sh", "-c", "[ -r /dev/kvm ] && [ -w /dev/kvm ]"])).exitCode === 0;
  if (usable) expect(r.stdout).toContain("kvm\n-cpu\nhost\n");
  else expect(r.stderr).toMatch(/dev\/kvm is not usable; using tcg/);
});

test("an unknown V2V_ACCEL is refused with exit status 2", async () => {
  const r = await runScript({ V2V_ACCEL: "hvf" });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/V2V_ACCEL must be kvm or tcg, not 'hvf'/);
});

test("the UEFI script is valid sh and maps the code read-only and the VARS copy writable", async () => {
  const text = renderQemuScript(uefiGuest(), { version: "t", accel: "kvm", uefi: { code: "/fw/CODE.fd", vars: "/out/g-VARS.fd" } });
  await run(["sh", "-n", "-c", text]);
  expect(text).toContain("-drive if=pflash,format=raw,unit=0,readonly=on,file=/fw/CODE.fd");
  expect(text).toContain("-drive if=pflash,format=raw,unit=1,file=/out/g-VARS.fd");
  expect(text).toContain("accel=${V2V_ACCEL:-kvm}");
});

test("sata disks past q35's 6 AHCI ports go on an added AHCI controller; ide on pc uses 2 buses x 2 units", () => {
  const disk = (bus: "sata" | "ide") => ({ index: 0, path: "/d", format: "raw" as const, bus, deviceName: "x", virtualSizeBytes: 1 });
  expect(diskArgs(disk("sata"), 5).slice(1)).toEqual([["-device", "ide-hd,drive=drive-5,bus=ide.5,bootindex=6"]]);
  expect(diskArgs(disk("sata"), 6).slice(1)).toEqual([["-device", "ahci,id=ahci1"], ["-device", "ide-hd,drive=drive-6,bus=ahci1.0,bootindex=7"]]);
  expect(diskArgs(disk("sata"), 7).slice(1)).toEqual([["-device", "ide-hd,drive=drive-7,bus=ahci1.1,bootindex=8"]]);
  expect(diskArgs(disk("ide"), 3).slice(1)).toEqual([["-device", "ide-hd,drive=drive-3,bus=ide.1,unit=1,bootindex=4"]]);
});
