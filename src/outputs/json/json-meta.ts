// Pure: render a TargetMeta as the JSON document of -o json (NAME.json), keys in a fixed order.
// Values reach the text only through JSON.stringify, which escapes whatever they hold (hostile-values.test.ts).
import type { TargetMeta } from "../../model/types.js";

export interface JsonMetaOptions {
  readonly version: string;
}

/** Bumped when a key is renamed or removed; adding keys keeps the number. */
export const JSON_META_FORMAT_VERSION = 1;

/** The document as a plain object; keys are inserted in the order they are printed. */
export function buildJsonMeta(meta: TargetMeta, options: JsonMetaOptions): Record<string, unknown> {
  const t = meta.cpuTopology;
  const caps = meta.guestcaps;
  const i = meta.inspection;
  return {
    format_version: JSON_META_FORMAT_VERSION,
    generator: `v2v-ts ${options.version}`,
    name: meta.name,
    memory_bytes: meta.memoryBytes,
    vcpus: meta.vcpus,
    cpu_topology: t ? { sockets: t.sockets, cores: t.coresPerSocket, threads: t.threadsPerCore } : null,
    firmware: meta.firmware,
    // virt-v2v 2.0's -o json named this flag in firmware.uefi.flags; here it sits beside firmware.
    firmware_flags: meta.secureBoot ? ["secure_boot_required"] : [],
    machine: meta.machine,
    disks: meta.disks.map((d) => ({
      index: d.index,
      path: d.path ?? null,
      format: d.format,
      bus: d.bus,
      device: d.deviceName,
      virtual_size: d.virtualSizeBytes,
    })),
    nics: meta.nics.map((n) => ({
      mac: n.mac ?? null,
      model: n.model,
      vnet: n.networkName,
      vnet_type: n.vnetType,
    })),
    guestcaps: {
      block_bus: caps.blockBus,
      nic_model: caps.nicModel,
      machine: caps.machine,
      virtio_drivers: caps.virtioDrivers,
      virtio_rng: caps.virtioRng,
      virtio_balloon: caps.virtioBalloon,
      acpi: caps.acpi,
    },
    platform: {
      clock: meta.platform.clock,
      hyperv: [...meta.platform.hyperv],
      tpm: meta.platform.tpm,
    },
    inspection: {
      root: i.root,
      os_type: i.osType,
      distro: i.distro,
      major_version: i.majorVersion,
      minor_version: i.minorVersion,
      product_name: i.productName,
      arch: i.arch,
      osinfo: i.osinfo,
      package_format: i.packageFormat,
      package_management: i.packageManagement,
      firmware: i.firmware,
      mountpoints: i.mountpoints.map((m) => ({ mountpoint: m.mountpoint, device: m.device })),
      applications: i.applications.map((a) => ({ name: a.name, version: a.version })),
    },
  };
}

/** The document as text: two-space indentation and a final newline. */
export const renderJsonMeta = (meta: TargetMeta, options: JsonMetaOptions): string =>
  `${JSON.stringify(buildJsonMeta(meta, options), null, 2)}\n`;
