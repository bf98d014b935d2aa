// A hostile OVA converted with -o qemu: the reference guest repacked with an OVF whose guest and
// network names carry spaces, commas, parentheses and a "-device" look-alike (all allowed in names),
// converted by the real CLI. The generated NAME.sh, run with a stub qemu that prints its argv, must
// pass qemu exactly the options v2v meant: the name arrives as one `guest=` value, commas doubled.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { attachment } from "allure-js-commons";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runAllowFail } from "../../src/host/exec.js";
import { findRecipe } from "../../src/harness/guests/recipes.js";
import { ensureGuestOva } from "../../src/harness/guests/package-ova.js";
import { writeTar } from "../../src/harness/reliability/hostile-ova.js";
import { runV2v, type V2vRun } from "../../src/harness/matrix/run-v2v.js";
import { indexTar, readMember } from "../../src/inputs/tar-index.js";

const HOSTILE_NAME = "db, -device virtio-rng-pci (prod) #2";
const HOSTILE_NETWORK = "VM Network, -netdev user (x)";

/** Every option qemu may be given by a v2v script (the fixed part plus the accelerator and display). */
const ALLOWED_OPTIONS = new Set([
  "-no-user-config", "-nodefaults", "-name", "-machine", "-m", "-smp", "-drive", "-device", "-netdev", "-object", "-vga",
  "-chardev", "-accel", "-cpu", "-display", "-serial",
]);

describe("-o qemu on a hostile OVA: the script's qemu command line holds only v2v's options", () => {
  let work: string;
  let out: string;
  let v2v: V2vRun;

  beforeAll(async () => {
    const ova = (await ensureGuestOva(findRecipe("debian-12-bios"), (m) => console.log(`reliability: ${m}`))).path;
    work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-hostile-qemu-"));
    out = join(work, "out");
    await mkdir(out);
    const members = await indexTar(ova);
    const ovfMember = members.find((m) => m.name.endsWith(".ovf"))!;
    const disk = members.find((m) => m.name.endsWith(".vmdk"))!;
    const ovf = (await readMember(ova, ovfMember)).toString("utf8")
      .replace(/<Name>[^<]*<\/Name>/, `<Name>${HOSTILE_NAME}</Name>`)
      .replace(/<rasd:Connection>[^<]*<\/rasd:Connection>/, `<rasd:Connection>${HOSTILE_NETWORK}</rasd:Connection>`);
    const hostile = join(work, "hostile.ova");
    await writeTar(hostile, [
      { name: ovfMember.name, data: ovf },
      { name: disk.name, fromFile: ova, offsetBytes: disk.dataOffset, sizeBytes: disk.sizeBytes },
    ]);
    v2v = await runV2v(["-i", "ova", hostile, "-o", "qemu", "-os", out], work);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test("the conversion succeeds and writes NAME.sh and NAME-sda under the hostile name", async () => {
    await attachment("v2v stderr", await readFile(v2v.stderrPath, "utf8"), "text/plain");
    expect(v2v.exitCode, v2v.summary.error).toBe(0);
    expect((await readdir(out)).sort()).toEqual([`${HOSTILE_NAME}-sda`, `${HOSTILE_NAME}.sh`]);
  });

  test("run with a stub qemu, the script passes one guest= name, one drive, and nothing else", async () => {
    const bin = join(work, "bin");
    await mkdir(bin, { recursive: true });
    const stub = join(bin, "qemu-system-x86_64");
    await writeFile(stub, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
    await chmod(stub, 0o755);
    const r = await runAllowFail([join(out, `${HOSTILE_NAME}.sh`)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, V2V_ACCEL: "tcg", V2V_HEADLESS: "1" }, timeoutMs: 30_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const argv = r.stdout.replace(/\n$/, "").split("\n");
    await attachment("qemu argv", argv.join("\n"), "text/plain");
    const options = argv.filter((a) => a.startsWith("-"));
    expect(options.filter((o) => !ALLOWED_OPTIONS.has(o))).toEqual([]);
    expect(argv[argv.indexOf("-name") + 1]).toBe(`guest=${HOSTILE_NAME.replace(/,/g, ",,")}`);
    const drives = argv.filter((_a, i) => argv[i - 1] === "-drive");
    expect(drives).toHaveLength(1);
    expect(drives[0]).toBe(`file=${join(out, `${HOSTILE_NAME}-sda`).replace(/,/g, ",,")},format=raw,if=none,id=drive-0,media=disk`);
    // Exactly the devices v2v adds for a virtio guest: disk, NIC, rng, balloon, the guest agent's port.
    const devices = argv.filter((_a, i) => argv[i - 1] === "-device").map((d) => d.split(",")[0]);
    expect(devices.sort()).toEqual(["virtio-balloon", "virtio-blk-pci", "virtio-net-pci", "virtio-rng-pci", "virtio-serial-pci", "virtserialport"]);
    // The guest agent's socket sits beside the disks; the hostile name stays inside one path= value.
    const chardevs = argv.filter((_a, i) => argv[i - 1] === "-chardev");
    expect(chardevs).toEqual([`socket,id=qga0,path=${join(out, `${HOSTILE_NAME}-qga.sock`).replace(/,/g, ",,")},server=on,wait=off`]);
  });
});
