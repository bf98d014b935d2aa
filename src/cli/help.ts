// The text `v2v --help` prints: usage, the options v2v implements, and where it differs from virt-v2v.

const HELP = `v2v: convert a guest from another hypervisor to run on KVM
(a TypeScript re-implementation of virt-v2v; its options keep virt-v2v's spelling)

Usage:
  v2v [--options] -i disk DISK.img [DISK2.img ...] -o MODE [-os DIR] [-on NAME]
  v2v [--options] -i ova GUEST.ova|DIR -o MODE [-os DIR] [-on NAME]
  v2v -i MODE SOURCE --print-source

-i and -o are both required: virt-v2v defaults to -i libvirt and -o libvirt,
which v2v does not implement (-o may be left out with --print-source).

Input:
  -i disk|local          read one or more disk images (local is the same as disk)
  -i ova                 read an OVA: a tar file, or a directory holding the .ovf
  -if raw|qcow2|vmdk     with -i disk: the format of the images (else read from their first bytes)
  -io ?                  list input options (there are none for disk and ova)

Output:
  -o local|disk          write NAME-sda... and NAME.xml (libvirt XML) into -os DIR
  -o qemu                write NAME-sda... and NAME.sh (a qemu command line) into -os DIR
  -o json                write NAME-sda... and NAME.json into -os DIR
  -o null                convert, then throw the result away (no -os, -of, -oa or -oo)
  -os DIR                output directory (required for local, qemu and json)
  -on NAME               rename the guest on the target
  -of raw|qcow2          format of the target disks (default: raw)
  -oa sparse|preallocated
                         allocation of the target disks (default: sparse)
  -oo compressed         write compressed qcow2 clusters (needs -of qcow2)
  -oo qemu-boot          with -o qemu: start the guest once the script is written
  -oo ?                  list the -oo keys of the chosen -o mode
  --compressed           same as -oo compressed
  --qemu-boot            same as -oo qemu-boot (-o qemu only)

Conversion:
  --root ask|single|first|/dev/DEVICE
                         which operating system to convert when the disks hold
                         several (default: ask; v2v does not prompt, so with
                         several roots ask and single stop and list them)
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

Not implemented yet (virt-v2v has them): -i libvirt|libvirtxml|vmx,
-o libvirt|kubevirt|openstack|rhv|rhv-upload|vdsm|glance, -ic, -ip, -it, -oc, -op,
-b/--bridge, -n/--network, --mac, --key.

When reporting bugs, run v2v with -v -x and include the complete output.
`;

/** The --help text, ending with a newline. */
export function formatHelp(): string {
  return HELP;
}
