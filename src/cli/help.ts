// The text `v2v --help` prints: usage, the options v2v implements, and where it differs from
// virt-v2v. The modes' lines come from their modules (src/pipeline/registry.ts).
import type { InputModule, OutputModule } from "../model/contracts.js";
import { INPUTS, INPUTS_NOT_YET, OUTPUTS, OUTPUTS_NOT_YET } from "../pipeline/registry.js";

const col = (left: string, right: string): string =>
  left.length <= 21 ? `  ${left.padEnd(21)}  ${right}` : `  ${left}\n${" ".repeat(25)}${right}`;

const andList = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;

const spelled = (m: { spec: { name: string; aliases: readonly string[] } }): string => [m.spec.name, ...m.spec.aliases].join("|");

function modeSections(inputs: readonly InputModule[], outputs: readonly OutputModule[]): string {
  const needOs = outputs.filter((o) => o.spec.storage === "required").map((o) => o.spec.name);
  const keyLines = outputs.flatMap((o) => o.spec.keys.map((k) => ({ k, o: o.spec.name })))
    .filter((x, i, all) => all.findIndex((y) => y.k.key === x.k.key) === i)
    .map(({ k }) => {
      const users = outputs.filter((o) => o.spec.keys.some((y) => y.key === k.key)).map((o) => o.spec.name);
      const only = users.length === 1 ? ` (-o ${users[0]} only)` : "";
      return col(`-oo ${k.key}${k.kind === "string" ? "=VALUE" : ""}`, `${k.help}${only}`);
    });
  return [
    "Usage:",
    ...inputs.map((i) => `  v2v [--options] -i ${i.spec.name} ${i.spec.usage} -o MODE [-os DIR] [-on NAME]`),
    "  v2v -i MODE SOURCE --print-source",
    "",
    "-i and -o are both required: virt-v2v defaults to -i libvirt and -o libvirt,",
    "which v2v does not implement (-o may be left out with --print-source).",
    "",
    "Input:",
    ...inputs.map((i) => col(`-i ${spelled(i)}`, i.spec.help)),
    col("-if raw|qcow2|vmdk", `with -i ${inputs.filter((i) => i.spec.acceptsInputFormat).map((i) => i.spec.name).join("|")}: the format of the images (else read from their first bytes)`),
    col("-io ?", "list the -io keys of the chosen -i mode"),
    "",
    "Output:",
    ...outputs.map((o) => col(`-o ${spelled(o)}`, o.spec.help)),
    col("-os DIR", `output directory (required for ${andList(needOs)})`),
    col("-on NAME", "rename the guest on the target"),
    col("-of raw|qcow2", "format of the target disks (default: raw)"),
    col("-oa sparse|preallocated", "allocation of the target disks (default: sparse)"),
    ...keyLines,
    col("-oo ?", "list the -oo keys of the chosen -o mode"),
    col("--compressed", "same as -oo compressed"),
    col("--qemu-boot", "same as -oo qemu-boot (-o qemu only)"),
    "",
  ].join("\n");
}

const INTRO = `v2v: convert a guest from another hypervisor to run on KVM
(a TypeScript re-implementation of virt-v2v; its options keep virt-v2v's spelling)

`;

const REST = `
Conversion:
  --root ask|single|first|/dev/DEVICE
                         which operating system to convert when the disks hold
                         several (default: ask; v2v does not prompt, so with
                         several roots ask and single stop and list them)
  --block-driver virtio-blk|virtio-scsi
                         the virtio disk controller a Windows guest boots from
                         (default virtio-blk: viostor; virtio-scsi: vioscsi)
  --key SELECTOR:key:PASSPHRASE | --key SELECTOR:file:FILE
                         open the LUKS volume SELECTOR (a device such as
                         /dev/sda2, or its LUKS UUID) with this passphrase, or
                         with the first line of FILE; may be repeated
  --keys-from-stdin      read one passphrase per line from stdin for the
                         encrypted volumes no --key names, in device order
  --print-source         print what was read from the source, then stop

Messages:
  -v, --verbose          print more about what each step does
  -x                     trace every libguestfs and host command
  -q, --quiet            print only warnings and errors
  --machine-readable[=stream:stdout]
                         print messages as JSON lines on stdout; given with no
                         source, print the list of capabilities instead
  --colours, --colors, --colour, --color
                         accepted for compatibility; v2v prints no colours

Other:
  -V, --version          print the version and exit
  -h, --help             print this help and exit

NOT_YET

When reporting bugs, run v2v with -v -x and include the complete output.
`;

/** The --help text, ending with a newline. */
export function formatHelp(inputs: readonly InputModule[] = INPUTS, outputs: readonly OutputModule[] = OUTPUTS): string {
  const notYet = `Not implemented yet (virt-v2v has them): -i ${INPUTS_NOT_YET.join("|")},\n` +
    `-o ${OUTPUTS_NOT_YET.filter((o) => !o.includes("_") && !["osp", "rhosp", "ovirt", "rhev", "ovirt-upload"].includes(o)).join("|")},\n` +
    "-ic, -ip, -it, -oc, -op, -b/--bridge, -n/--network, --mac, --key.\n";
  return INTRO + modeSections(inputs, outputs) + REST.replace("NOT_YET\n", notYet);
}
