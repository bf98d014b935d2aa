// -o kubevirt: the VirtualMachine YAML (checked against KubeVirt's published v1 schema, see
// fixtures/kubevirt/virtualmachine-v1.schema.json), the mode's options, and plan/finalize on a
// temporary directory.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { V2vError } from "../../../src/model/errors.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import type { OutputArgs } from "../../../src/model/modes.js";
import type { OutputOptions, TargetMeta } from "../../../src/model/types.js";
import { checkKubevirtName, kubevirtOutput } from "../../../src/outputs/kubevirt/kubevirt.js";
import {
  buildKubevirtVm, isKubernetesName, kubevirtCaveats, memoryQuantity, renderKubevirtYaml, suggestKubernetesName,
} from "../../../src/outputs/kubevirt/kubevirt-yaml.js";
import { biosNoVirtio, biosVirtio, convertFixture, FIXTURES, makeInspection, makeSource, uefiGuest } from "./meta-fixtures.js";

const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "kubevirt", "virtualmachine-v1.schema.json");
const validateVm = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as object);

/** The schema's complaints about a document, "path: message" each (empty when it is valid). */
function schemaErrors(doc: unknown): string[] {
  return validateVm(doc) ? [] : (validateVm.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message ?? ""}${e.params && "additionalProperty" in e.params ? ` (${String(e.params["additionalProperty"])})` : ""}`);
}

/** Render, then read back as Kubernetes does (YAML 1.1). */
const rendered = (meta: TargetMeta, hypervisor = "vmware"): Record<string, any> =>
  parseYaml(renderKubevirtYaml(meta, { version: "0.1.0", sourceHypervisor: hypervisor }), { version: "1.1" }) as Record<string, any>;
const vmiSpec = (doc: Record<string, any>): Record<string, any> => doc["spec"]["template"]["spec"];
const domainOf = (doc: Record<string, any>): Record<string, any> => vmiSpec(doc)["domain"];

const GiB = 1024 ** 3;
const disk = (index: number, controller?: "scsi" | "ide") => ({
  index, image: { kind: "checked" as const, qemuUri: `/src/d${index}.vmdk`, format: "vmdk" as const, chain: [], virtualSizeBytes: 1 },
  displayName: `d${index}.vmdk`, ...(controller ? { controller } : {}),
});
/** Three disks, two NICs, 3 GiB: the multi-disk case. */
const threeDisks = (): TargetMeta =>
  convertFixture(
    makeSource({
      name: "multi", memoryBytes: 3 * GiB, disks: [disk(0, "scsi"), disk(1, "scsi"), disk(2, "scsi")],
      nics: [
        { mac: "52:54:00:12:34:56", sourceModel: "vmxnet3", networkName: "VM Network", vnetType: "bridge" },
        { sourceModel: "e1000", networkName: "Backup", vnetType: "bridge" },
      ],
    }),
    makeInspection(),
    { virtioBlk: true, virtioNet: true, virtioRng: false, virtioBalloon: true },
    { format: "raw" },
    "/var/tmp/kv",
  );

describe("the VirtualMachine document", () => {
  test("BIOS guest with virtio: the whole document", () => {
    const doc = rendered(biosVirtio());
    expect(doc).toEqual({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: {
        name: "debian12-bios",
        labels: { "libguestfs.org/v2v-ts-version": "0.1.0", "libguestfs.org/osinfo": "debian12", "libguestfs.org/source": "vmware" },
      },
      spec: {
        runStrategy: "Halted",
        template: {
          spec: {
            domain: {
              cpu: { sockets: 1, cores: 2, threads: 1 },
              firmware: { bootloader: { bios: {} } },
              features: { acpi: {}, apic: {} },
              machine: { type: "q35" },
              resources: { requests: { memory: "2048Mi" } },
              devices: {
                disks: [
                  { disk: { bus: "virtio" }, name: "disk-0", bootOrder: 1 },
                  { disk: { bus: "virtio" }, name: "disk-1" },
                ],
                interfaces: [{ name: "default", masquerade: {}, model: "virtio", macAddress: "00:50:56:aa:bb:cc" }],
                rng: {},
                useVirtioTransitional: false,
              },
            },
            networks: [{ name: "default", pod: {} }],
            volumes: [
              { hostDisk: { path: "/srv/v2v out/it's,here/debian12-bios-sda", type: "Disk" }, name: "disk-0" },
              { hostDisk: { path: "/srv/v2v out/it's,here/debian12-bios-sdb", type: "Disk" }, name: "disk-1" },
            ],
          },
        },
      },
    });
  });

  test("the text starts with the generated-by comment and round-trips to the same object", () => {
    const meta = biosVirtio();
    const text = renderKubevirtYaml(meta, { version: "0.1.0", sourceHypervisor: "vmware" });
    expect(text.split("\n")[0]).toBe("# generated by v2v-ts 0.1.0");
    expect(parseYaml(text, { version: "1.1" })).toEqual(buildKubevirtVm(meta, { version: "0.1.0", sourceHypervisor: "vmware" }));
  });

  test("UEFI guest: efi without Secure Boot, q35, cores = vCPUs, no NIC so no network", () => {
    const doc = rendered(uefiGuest());
    const domain = domainOf(doc);
    expect(domain["firmware"]).toEqual({ bootloader: { efi: { secureBoot: false } } });
    expect(domain["machine"]).toEqual({ type: "q35" });
    expect(domain["cpu"]).toEqual({ cores: 4 });
    expect(domain["resources"]).toEqual({ requests: { memory: "4096Mi" } });
    expect(domain["devices"]["interfaces"]).toBeUndefined();
    expect(vmiSpec(doc)["networks"]).toBeUndefined();
    expect(doc["metadata"]).toEqual({
      name: "ubuntu-uefi",
      labels: { "libguestfs.org/v2v-ts-version": "0.1.0", "libguestfs.org/osinfo": "ubuntu22.04", "libguestfs.org/source": "vmware" },
    });
  });

  test("no virtio drivers: SATA disks, an e1000 NIC, no rng, no machine type (KubeVirt has only q35), and a warning", () => {
    const meta = biosNoVirtio();
    expect(meta.machine).toBe("pc");
    expect(meta.disks.map((d) => d.bus)).toEqual(["ide"]);
    const domain = domainOf(rendered(meta, "unknown"));
    expect(domain["devices"]["disks"]).toEqual([{ disk: { bus: "sata" }, name: "disk-0", bootOrder: 1 }]);
    expect(domain["devices"]["interfaces"]).toEqual([{ name: "default", masquerade: {}, model: "e1000" }]);
    expect(domain["devices"]["rng"]).toBeUndefined();
    expect(domain["machine"]).toBeUndefined();
    expect(kubevirtCaveats(meta)).toEqual([
      "-o kubevirt: KubeVirt has no i440fx machine and no IDE bus; the guest gets q35 with SATA disks, which needs its ahci driver",
    ]);
    expect(kubevirtCaveats(biosVirtio())).toEqual([]);
  });

  test("several disks: in index order, bootOrder on the first only, each disk its own volume; extra NICs are dropped with a warning", () => {
    const meta = threeDisks();
    const doc = rendered({ ...meta, disks: [...meta.disks].reverse() }); // listed out of order: still written by index
    expect(domainOf(doc)["devices"]["disks"]).toEqual([
      { disk: { bus: "virtio" }, name: "disk-0", bootOrder: 1 },
      { disk: { bus: "virtio" }, name: "disk-1" },
      { disk: { bus: "virtio" }, name: "disk-2" },
    ]);
    expect(vmiSpec(doc)["volumes"]).toEqual([0, 1, 2].map((i) => ({ hostDisk: { path: `/var/tmp/kv/multi-sd${"abc"[i]}`, type: "Disk" }, name: `disk-${i}` })));
    expect(domainOf(doc)["devices"]["interfaces"]).toEqual([{ name: "default", masquerade: {}, model: "virtio", macAddress: "52:54:00:12:34:56" }]);
    expect(domainOf(doc)["resources"]).toEqual({ requests: { memory: "3072Mi" } });
    expect(kubevirtCaveats(meta)).toEqual([
      "-o kubevirt: only the first of the 2 NICs is written (on the pod network); add the others with Multus networks",
    ]);
  });

  test("no ACPI: disabled explicitly, since KubeVirt enables it by default", () => {
    const meta = biosVirtio();
    const noAcpi: TargetMeta = { ...meta, guestcaps: { ...meta.guestcaps, acpi: false } };
    expect(domainOf(rendered(noAcpi))["features"]).toEqual({ acpi: { enabled: false }, apic: {} });
  });

  test("YAML 1.1 readers (Kubernetes) get strings back, even for names like no, on or 0777", () => {
    for (const name of ["no", "on", "y", "0777", "1e3"]) {
      expect(rendered({ ...biosVirtio(), name })["metadata"]["name"]).toBe(name);
    }
    const meta = biosVirtio();
    const macLike: TargetMeta = { ...meta, nics: [{ ...meta.nics[0]!, mac: "10:20:30:40:50:59" }] };
    expect(domainOf(rendered(macLike))["devices"]["interfaces"][0]["macAddress"]).toBe("10:20:30:40:50:59");
  });

  test("labels Kubernetes would refuse are left out; an unknown source or osinfo too", () => {
    const meta = biosVirtio();
    const hostile: TargetMeta = { ...meta, inspection: { ...meta.inspection, osinfo: "debian12\nkind: Pod" } };
    expect(rendered(hostile, "unknown")["metadata"]["labels"]).toEqual({ "libguestfs.org/v2v-ts-version": "0.1.0" });
    const unknown: TargetMeta = { ...meta, inspection: { ...meta.inspection, osinfo: "unknown" } };
    expect(Object.keys(rendered(unknown)["metadata"]["labels"])).toEqual(["libguestfs.org/v2v-ts-version", "libguestfs.org/source"]);
    const badMac: TargetMeta = { ...meta, nics: [{ ...meta.nics[0]!, mac: "zz:zz" }] };
    expect(domainOf(rendered(badMac))["devices"]["interfaces"][0]["macAddress"]).toBeUndefined();
  });

  test("memory quantities are exact", () => {
    expect(memoryQuantity(2 * GiB)).toBe("2048Mi");
    expect(memoryQuantity(1536 * 1024)).toBe("1536Ki");
    expect(memoryQuantity(1000)).toBe("1000");
  });

  test("Kubernetes names: RFC 1123 subdomains of at most 253 characters, and a valid suggestion otherwise", () => {
    for (const ok of ["debian-12-bios", "a", "web.example.com", "0abc", "a".repeat(253)]) expect(isKubernetesName(ok)).toBe(true);
    for (const bad of ["Debian", "debian_12", "-a", "a-", "a..b", ".a", "", "a b", "a/b", "a".repeat(254)]) expect(isKubernetesName(bad)).toBe(false);
    expect(suggestKubernetesName("Debian 12_BIOS")).toBe("debian-12-bios");
    expect(suggestKubernetesName("--My.VM..-x-")).toBe("my.vm.x");
    expect(suggestKubernetesName("___")).toBe("guest");
    for (const s of ["Debian 12_BIOS", "--My.VM..-x-", "é", "A".repeat(300), `${"a".repeat(252)}.b`]) {
      expect(isKubernetesName(suggestKubernetesName(s)), s).toBe(true);
    }
  });
});

describe("KubeVirt's VirtualMachine v1 schema", () => {
  const cases: readonly (readonly [string, () => TargetMeta])[] = [...FIXTURES, ["three-disks", threeDisks]];
  test.each(cases)("%s: the rendered YAML is valid", (_, make) => {
    expect(schemaErrors(rendered(make()))).toEqual([]);
  });

  test("a broken document fails: misspelled field, memory as a number, a bus KubeVirt lacks, a volume with no name", () => {
    const bad = (edit: (d: Record<string, any>) => void): string[] => {
      const doc = rendered(biosVirtio());
      edit(doc);
      return schemaErrors(doc);
    };
    expect(bad((d) => { domainOf(d)["devices"]["disks"][0]["disk"] = { buss: "virtio" }; }))
      .toEqual(["/spec/template/spec/domain/devices/disks/0/disk: must NOT have additional properties (buss)"]);
    expect(bad((d) => { domainOf(d)["resources"]["requests"]["memory"] = 2048; }))
      .toEqual(["/spec/template/spec/domain/resources/requests/memory: must be string"]);
    expect(bad((d) => { domainOf(d)["devices"]["disks"][0]["disk"]["bus"] = "ide"; }))
      .toEqual(["/spec/template/spec/domain/devices/disks/0/disk/bus: must be equal to one of the allowed values"]);
    expect(bad((d) => { delete vmiSpec(d)["volumes"][0]["name"]; }))
      .toEqual(["/spec/template/spec/volumes/0: must have required property 'name'"]);
    expect(bad((d) => { domainOf(d)["firmware"]["bootloader"]["efi"] = { secureboot: false }; }))
      .toEqual(["/spec/template/spec/domain/firmware/bootloader/efi: must NOT have additional properties (secureboot)"]);
    expect(bad((d) => { d["spec"]["running"] = "false"; })).toEqual(["/spec/running: must be boolean"]);
  });
});

describe("-o kubevirt options", () => {
  const args = (over: Partial<OutputArgs> = {}): OutputArgs =>
    ({ mode: "kubevirt", storage: "/o", keys: [], compressedFlag: false, qemuBootFlag: false, printSource: false, ...over });
  const refusal = (f: () => unknown): string => { try { f(); } catch (e) { return (e as V2vError).message; } return "no error"; };

  test("-os is required; -of raw (the default) and -oa are taken", () => {
    expect(kubevirtOutput.parseOptions(args())).toEqual({ mode: "kubevirt", storage: "/o", format: "raw", allocation: "sparse", compressed: false });
    expect(kubevirtOutput.parseOptions(args({ allocation: "preallocated", name: "vm1" })))
      .toEqual({ mode: "kubevirt", storage: "/o", format: "raw", allocation: "preallocated", compressed: false, name: "vm1" });
    const { storage: _s, ...noStorage } = args();
    expect(refusal(() => kubevirtOutput.parseOptions(noStorage))).toBe("-o kubevirt needs -os DIR: the directory to write the guest to");
  });

  test("-of qcow2 is refused (hostDisk volumes are raw), and so is every -oo key", () => {
    expect(refusal(() => kubevirtOutput.parseOptions(args({ format: "qcow2" }))))
      .toBe("-o kubevirt: -of qcow2 is not supported: KubeVirt reads hostDisk volumes as raw images; use -of raw (the default)");
    expect(refusal(() => kubevirtOutput.parseOptions(args({ keys: ["compressed"] })))).toBe("-o kubevirt takes no -oo options: remove -oo compressed");
    expect(kubevirtOutput.spec.keys).toEqual([]);
  });

  test("-on must be a Kubernetes name, refused before any work with a suggestion", () => {
    const e = refusal(() => kubevirtOutput.parseOptions(args({ name: "My_VM" })));
    expect(e).toBe(
      `-o kubevirt: the guest name "My_VM" is not a valid Kubernetes name (lower-case letters, digits, '-' and '.', ` +
      `starting and ending with a letter or digit, at most 253 characters); rename the guest with -on, e.g. -on my-vm`,
    );
    expect(refusal(() => checkKubevirtName("bad\x1b[2Jname"))).toContain('"bad\\u001b[2Jname"');
  });
});

describe("-o kubevirt on a directory", () => {
  let dir = "";
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "v2v-kubevirt-")); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const opts = (over: Partial<OutputOptions> = {}): OutputOptions =>
    ({ mode: "kubevirt", storage: dir, format: "raw", allocation: "sparse", compressed: false, ...over });
  const errorOf = async (p: Promise<unknown>): Promise<V2vError> => {
    const e = await p.then(() => undefined, (err: unknown) => err);
    if (!(e instanceof V2vError)) throw new Error(`expected a V2vError, got ${String(e)}`);
    return e;
  };
  const twoDisks = makeSource({ name: "g", hypervisor: "vmware", disks: [disk(0), disk(1)] });
  const inDir = (meta: TargetMeta): TargetMeta => ({ ...meta, disks: meta.disks.map((d) => ({ ...d, path: join(dir, `${meta.name}-sd${"ab"[d.index]}`) })) });

  test("validate: -os must exist; -of qcow2 is refused here too", async () => {
    await expect(kubevirtOutput.validate(opts())).resolves.toBeUndefined();
    expect((await errorOf(kubevirtOutput.validate(opts({ storage: join(dir, "nope") })))).message).toMatch(/no such directory; create it/);
    expect((await errorOf(kubevirtOutput.validate(opts({ format: "qcow2" })))).message).toMatch(/-of qcow2 is not supported/);
    expect((await errorOf(kubevirtOutput.validate(opts({ storage: undefined })))).message)
      .toBe("-o kubevirt: -os DIR is required: the directory for the disks and NAME.yaml");
  });

  test("plan: DIR/NAME-sdX per disk; a name Kubernetes refuses, or an existing NAME.yaml, is refused", async () => {
    expect((await kubevirtOutput.plan("g", twoDisks, opts())).diskPaths).toEqual([join(dir, "g-sda"), join(dir, "g-sdb")]);
    const bad = await errorOf(kubevirtOutput.plan("Debian_12", twoDisks, opts()));
    expect(bad.code).toBe("BAD_OPTION");
    expect(bad.message).toMatch(/-on debian-12$/);
    writeFileSync(join(dir, "g.yaml"), "");
    const clash = await errorOf(kubevirtOutput.plan("g", twoDisks, opts()));
    expect(clash.code).toBe("OUTPUT");
    expect(clash.message).toBe(`-o kubevirt: ${join(dir, "g.yaml")} exists; remove it or choose another -os / -on`);
  });

  test("finalize writes only NAME.yaml (atomically), valid, with the source label from plan, and warns about dropped NICs", async () => {
    const o = opts();
    await kubevirtOutput.plan("multi", twoDisks, o);
    const reporter = new RecordingReporter();
    const files = await kubevirtOutput.finalize(inDir(threeDisks()), o, { workDir: dir, reporter, verbose: false });
    expect(files).toEqual([join(dir, "multi.yaml")]);
    expect(readdirSync(dir)).toEqual(["multi.yaml"]);
    const doc = parseYaml(readFileSync(files[0]!, "utf8"), { version: "1.1" }) as Record<string, any>;
    expect(schemaErrors(doc)).toEqual([]);
    expect(doc["metadata"]["labels"]["libguestfs.org/source"]).toBe("vmware");
    expect(vmiSpec(doc)["volumes"][0]["hostDisk"]["path"]).toBe(join(dir, "multi-sda"));
    expect(reporter.lines.filter((l) => l.type === "warning").map((l) => l.text)).toEqual([
      "-o kubevirt: only the first of the 2 NICs is written (on the pod network); add the others with Multus networks",
    ]);
  });

  test("the source label comes from the metadata; an unknown hypervisor (-i disk) gives none, still valid", async () => {
    const [path] = await kubevirtOutput.finalize({ ...inDir(uefiGuest()), sourceHypervisor: "unknown" }, opts(), { workDir: dir, reporter: new RecordingReporter(), verbose: false });
    const doc = parseYaml(readFileSync(path!, "utf8"), { version: "1.1" }) as Record<string, any>;
    expect(doc["metadata"]["labels"]["libguestfs.org/source"]).toBeUndefined();
    expect(schemaErrors(doc)).toEqual([]);
    expect(existsSync(join(dir, ".ubuntu-uefi.yaml.tmp"))).toBe(false);
  });
});
