// Secure Boot and the guest agent channel in every output: the Secure Boot OVMF pair with SMM for a
// guest whose source had Secure Boot, nothing of it for any other guest; the qemu-ga channel in the
// libvirt XML always and in the qemu script when its socket path fits.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { V2vError } from "../../../src/model/errors.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import type { TargetMeta } from "../../../src/model/types.js";
import { requireOvmf } from "../../../src/outputs/common/output-dir.js";
import { OVMF_CANDIDATES, OVMF_SECURE_BOOT_CANDIDATES, findOvmf, ovmfCandidates } from "../../../src/outputs/common/ovmf.js";
import { GUEST_AGENT_CHANNEL, renderLibvirtXml } from "../../../src/outputs/common/libvirt-xml.js";
import { buildJsonMeta } from "../../../src/outputs/json/json-meta.js";
import { buildKubevirtVm } from "../../../src/outputs/kubevirt/kubevirt-yaml.js";
import { localOutput } from "../../../src/outputs/local/local.js";
import { qemuOutput, type QemuOutputOptions } from "../../../src/outputs/qemu/qemu.js";
import { UNIX_SOCKET_PATH_MAX_BYTES, guestAgentSocketFits, qemuArgs } from "../../../src/outputs/qemu/qemu-script.js";
import {
  OVMF, OVMF_SECURE_BOOT, biosNoVirtio, biosVirtio, makeSource, uefiGuest, windows11NoDrivers, windows11SecureBoot, windows2022,
} from "./meta-fixtures.js";

const xmlOf = (meta: TargetMeta): string =>
  renderLibvirtXml(meta, { version: "t", ...(meta.firmware === "uefi" ? { ovmf: meta.secureBoot ? OVMF_SECURE_BOOT : OVMF } : {}) });
const argsOf = (meta: TargetMeta, socket?: string): string[] =>
  qemuArgs(meta, meta.firmware === "uefi" ? { code: "/fw/CODE.fd", vars: "/out/g-VARS.fd" } : undefined, socket).flat();
const warningsOf = (r: RecordingReporter): string[] => r.lines.filter((l) => l.type === "warning").map((l) => l.text);
/** Every guest without Secure Boot: BIOS with and without virtio, UEFI Linux, Windows with and without drivers. */
const WITHOUT = [biosVirtio, biosNoVirtio, uefiGuest, windows2022, windows11NoDrivers] as const;

describe("libvirt XML", () => {
  test("Secure Boot: a secure pflash loader with the Secure Boot code, its enrolled vars, and SMM on", () => {
    const xml = xmlOf(windows11SecureBoot());
    expect(xml).toContain(`<loader readonly="yes" type="pflash" secure="yes">${OVMF_SECURE_BOOT.code}</loader>`);
    expect(xml).toContain(`<nvram template="${OVMF_SECURE_BOOT.vars}"/>`);
    expect(xml).toContain('<smm state="on"/>');
    expect(xml).toContain('machine="q35"');
  });

  test.each(WITHOUT.map((f) => [f.name, f] as const))("%s: no secure loader, no SMM", (_name, build) => {
    const xml = xmlOf(build());
    expect(xml).not.toContain("secure=");
    expect(xml).not.toContain("<smm");
  });

  test.each([...WITHOUT, windows11SecureBoot].map((f) => [f.name, f] as const))("%s: the virtio-serial controller and the qemu-ga channel", (_name, build) => {
    const xml = xmlOf(build());
    expect(xml).toContain('<controller type="virtio-serial" model="virtio"/>');
    expect(xml).toContain(`<channel type="unix">\n      <target type="virtio" name="${GUEST_AGENT_CHANNEL}"/>\n    </channel>`);
  });

  test("Secure Boot on a BIOS or pc target is a programming error, not a silent half-setup", () => {
    expect(() => xmlOf({ ...biosVirtio(), secureBoot: true })).toThrow(/Secure Boot needs UEFI on q35/);
    expect(() => xmlOf({ ...windows11SecureBoot(), machine: "pc" })).toThrow(/Secure Boot needs UEFI on q35/);
  });
});

describe("qemu script", () => {
  test("Secure Boot: q35 with SMM and the pflash secure property", () => {
    const argv = argsOf(windows11SecureBoot());
    expect(argv[argv.indexOf("-machine") + 1]).toBe("q35,smm=on");
    expect(argv[argv.indexOf("-global") + 1]).toBe("driver=cfi.pflash01,property=secure,value=on");
  });

  test.each(WITHOUT.map((f) => [f.name, f] as const))("%s: a plain machine and no -global", (_name, build) => {
    const meta = build();
    const argv = argsOf(meta);
    expect(argv[argv.indexOf("-machine") + 1]).toBe(meta.machine);
    expect(argv).not.toContain("-global");
  });

  test("the guest agent: a virtio-serial port named for qemu-ga on a listening socket; none without a socket", () => {
    const argv = argsOf(biosNoVirtio(), "/out/it's,here/g-qga.sock");
    const after = (flag: string, driver: string): string | undefined => argv.find((a, i) => argv[i - 1] === flag && a.startsWith(driver));
    expect(after("-device", "virtio-serial-pci")).toBe("virtio-serial-pci,id=virtio-serial0");
    expect(after("-chardev", "socket")).toBe("socket,id=qga0,path=/out/it's,,here/g-qga.sock,server=on,wait=off");
    expect(after("-device", "virtserialport")).toBe(`virtserialport,bus=virtio-serial0.0,chardev=qga0,name=${GUEST_AGENT_CHANNEL}`);
    const none = argsOf(biosNoVirtio());
    expect(none).not.toContain("-chardev");
    expect(none.some((a) => a.startsWith("virtio-serial-pci") || a.startsWith("virtserialport"))).toBe(false);
  });

  test("a socket path must fit a unix socket address (107 bytes) and be absolute", () => {
    const fits = `/${"a".repeat(UNIX_SOCKET_PATH_MAX_BYTES - 1)}`;
    expect(guestAgentSocketFits(fits)).toBe(true);
    expect(guestAgentSocketFits(`${fits}b`)).toBe(false);
    expect(guestAgentSocketFits(`/${"é".repeat(54)}`)).toBe(false); // 108 bytes in 55 characters
    expect(() => argsOf(biosVirtio(), `${fits}b`)).toThrow(/longer than 107 bytes/);
    expect(() => argsOf(biosVirtio(), "g-qga.sock")).toThrow(/not an absolute path/);
  });
});

describe("KubeVirt and JSON", () => {
  const domain = (meta: TargetMeta): Record<string, any> =>
    (buildKubevirtVm(meta, { version: "t" }) as any)["spec"]["template"]["spec"]["domain"];

  test("KubeVirt: efi with secureBoot true and SMM; otherwise secureBoot false and no SMM", () => {
    expect(domain(windows11SecureBoot())["firmware"]).toEqual({ bootloader: { efi: { secureBoot: true } } });
    expect(domain(windows11SecureBoot())["features"]["smm"]).toEqual({});
    expect(domain(windows2022())["firmware"]).toEqual({ bootloader: { efi: { secureBoot: false } } });
    expect(domain(windows2022())["features"]["smm"]).toBeUndefined();
    expect(domain(biosVirtio())["firmware"]).toEqual({ bootloader: { bios: {} } });
    expect(domain(biosVirtio())["features"]["smm"]).toBeUndefined();
  });

  test("KubeVirt: no guest agent channel (KubeVirt adds it to every VM; its API has no field)", () => {
    expect(JSON.stringify(buildKubevirtVm(windows11SecureBoot(), { version: "t" }))).not.toMatch(/guest_agent|channel|serial/i);
  });

  test("JSON: firmware_flags holds secure_boot_required only for the Secure Boot guest", () => {
    expect(buildJsonMeta(windows11SecureBoot(), { version: "t" })["firmware_flags"]).toEqual(["secure_boot_required"]);
    for (const build of WITHOUT) expect(buildJsonMeta(build(), { version: "t" })["firmware_flags"]).toEqual([]);
  });
});

describe("OVMF and the output modules on a temporary directory", () => {
  let dir = "";
  const savedAccel = process.env["V2V_ACCEL"];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "v2v-sb-"));
    process.env["V2V_ACCEL"] = "tcg";
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (savedAccel === undefined) delete process.env["V2V_ACCEL"];
    else process.env["V2V_ACCEL"] = savedAccel;
  });
  const opts = (over: Partial<QemuOutputOptions> = {}): QemuOutputOptions =>
    ({ mode: "qemu", storage: dir, format: "raw", allocation: "sparse", compressed: false, qemuBoot: false, ...over });
  const inDir = (meta: TargetMeta): TargetMeta => ({ ...meta, disks: meta.disks.map((d) => ({ ...d, path: join(dir, `${meta.name}-sda`) })) });

  test("the Secure Boot candidates pair secboot code with enrolled vars; the plain ones never name a secboot build", () => {
    expect(ovmfCandidates(true)).toBe(OVMF_SECURE_BOOT_CANDIDATES);
    expect(ovmfCandidates(false)).toBe(OVMF_CANDIDATES);
    expect(OVMF_SECURE_BOOT_CANDIDATES[0]).toEqual(OVMF_SECURE_BOOT);
    for (const c of OVMF_SECURE_BOOT_CANDIDATES) expect(c.code).toMatch(/secboot/);
    for (const c of OVMF_CANDIDATES) expect(`${c.code} ${c.vars}`).not.toMatch(/secboot|\.ms\./);
  });

  test("requireOvmf(secureBoot) finds Debian's Secure Boot pair (package ovmf)", async () => {
    if (!(await findOvmf(OVMF_SECURE_BOOT_CANDIDATES))) throw new Error("OVMF's Secure Boot build is not installed: install the ovmf package (apt-get install -y ovmf)");
    expect(await requireOvmf("local", true)).toEqual(OVMF_SECURE_BOOT);
    expect((await requireOvmf("local", false)).code).not.toMatch(/secboot/);
  });

  test("-o local writes the Secure Boot loader; -o qemu copies the enrolled vars and names the socket", async () => {
    if (!(await findOvmf(OVMF_SECURE_BOOT_CANDIDATES))) throw new Error("OVMF's Secure Boot build is not installed: install the ovmf package (apt-get install -y ovmf)");
    const ctx = { workDir: dir, reporter: new RecordingReporter(), verbose: false };
    const [xml] = await localOutput.finalize(inDir(windows11SecureBoot()), opts({ mode: "local" }), ctx);
    expect(readFileSync(xml!, "utf8")).toContain(`secure="yes">${OVMF_SECURE_BOOT.code}</loader>`);
    const [vars, script] = await qemuOutput.finalize(inDir(windows11SecureBoot()), opts(), ctx);
    expect(readFileSync(vars!).equals(readFileSync(OVMF_SECURE_BOOT.vars))).toBe(true);
    const text = readFileSync(script!, "utf8");
    expect(text).toContain(`file=${OVMF_SECURE_BOOT.code}`);
    expect(text).toContain(`path=${join(dir, "win11sb-qga.sock")},server=on,wait=off`);
    expect(warningsOf(ctx.reporter)).toEqual([]);
  });

  test("-o qemu: a socket path too long for a unix socket leaves the channel out, with a warning", async () => {
    const long = join(dir, "x".repeat(UNIX_SOCKET_PATH_MAX_BYTES));
    mkdirSync(long);
    const ctx = { workDir: dir, reporter: new RecordingReporter(), verbose: false };
    const meta = { ...biosVirtio(), disks: biosVirtio().disks.map((d) => ({ ...d, path: join(long, `debian12-bios-sd${"ab"[d.index]}`) })) };
    const [script] = await qemuOutput.finalize(meta, opts({ storage: long }), ctx);
    expect(readFileSync(script!, "utf8")).not.toContain("-chardev");
    expect(warningsOf(ctx.reporter)).toEqual([
      `-o qemu: the guest agent channel is left out of the script: its socket path would be longer than ${UNIX_SOCKET_PATH_MAX_BYTES} bytes (use a shorter -os or -on)`,
    ]);
  });

  test("-o qemu: plan refuses a leftover NAME-qga.sock (qemu would replace it)", async () => {
    writeFileSync(join(dir, "g-qga.sock"), "");
    const e = await qemuOutput.plan("g", makeSource({ name: "g" }), opts()).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).message).toMatch(/g-qga\.sock exists/);
  });
});
