// The one list of modes: input and output modules and converters. Everything that names modes
// (the CLI's mode lists and messages, --help, -oo ?/-io ?, --machine-readable, the matrix schema,
// the harness's file table) is derived from here. Adding a mode is one line here plus its module.
import { linuxConverter } from "../converters/linux/convert-linux.js";
import { windowsConverter } from "../converters/windows/windows-converter.js";
import { diskInput } from "../inputs/disk.js";
import { ovaInput } from "../inputs/ova.js";
import type { Converter, InputModule, OutputModule } from "../model/contracts.js";
import { jsonOutput } from "../outputs/json/json.js";
import { kubevirtOutput } from "../outputs/kubevirt/kubevirt.js";
import { localOutput } from "../outputs/local/local.js";
import { nullOutput } from "../outputs/null/null.js";
import { qemuOutput } from "../outputs/qemu/qemu.js";

export const INPUTS: readonly InputModule[] = [diskInput, ovaInput];

export const OUTPUTS: readonly OutputModule[] = [localOutput, qemuOutput, nullOutput, jsonOutput, kubevirtOutput];

export const CONVERTERS: readonly Converter[] = [linuxConverter, windowsConverter];

/** virt-v2v's modes that v2v lacks, so that asking for one says "not implemented yet" rather than "unknown". */
export const INPUTS_NOT_YET: readonly string[] = ["libvirt", "libvirtxml", "vmx"];
export const OUTPUTS_NOT_YET: readonly string[] = [
  "libvirt", "glance", "openstack", "osp", "rhosp", "rhv", "ovirt", "rhev", "rhv-upload",
  "ovirt-upload", "ovirt_upload", "rhv_upload", "vdsm",
];

/** The module for a mode name or alias, or undefined. */
export function findInput(name: string): InputModule | undefined {
  return INPUTS.find((m) => m.spec.name === name || m.spec.aliases.includes(name));
}

export function findOutput(name: string): OutputModule | undefined {
  return OUTPUTS.find((m) => m.spec.name === name || m.spec.aliases.includes(name));
}
