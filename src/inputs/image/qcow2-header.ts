// Pure: the parts of a qcow2 header that name other files or change how it must be opened.
// Layout (big-endian): https://gitlab.com/qemu-project/qemu/-/blob/master/docs/interop/qcow2.txt

export interface Qcow2Header {
  readonly version: 2 | 3;
  readonly virtualSizeBytes: number;
  /** Where the backing file name is stored, when the image has one. */
  readonly backingName?: { readonly offset: number; readonly length: number };
  /** From the backing-format header extension ("raw", "qcow2", ...), when present. */
  readonly backingFormat?: string;
  /** The image keeps its data in another file (incompatible feature bit 2). */
  readonly externalDataFile: boolean;
  /** 0 none, 1 AES, 2 LUKS. */
  readonly encryption: number;
}

const EXT_END = 0;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_DATA_FILE = 0x44415441;
/** qemu refuses longer backing file names, and so do we. */
export const MAX_BACKING_NAME = 1023;

/** Parse a qcow2 header from the first bytes of the image (give at least 64 KiB). Throws a plain Error on nonsense. */
export function parseQcow2Header(buf: Buffer): Qcow2Header {
  if (buf.length < 72) throw new Error("the qcow2 header is truncated");
  const version = buf.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new Error(`qcow2 version ${version} is not supported`);
  const backingOffset = Number(buf.readBigUInt64BE(8));
  const backingLength = buf.readUInt32BE(16);
  const virtualSizeBytes = Number(buf.readBigUInt64BE(24));
  const encryption = buf.readUInt32BE(32);
  let headerLength = 72;
  let incompatible = 0n;
  if (version === 3) {
    if (buf.length < 104) throw new Error("the qcow2 v3 header is truncated");
    incompatible = buf.readBigUInt64BE(72);
    headerLength = buf.readUInt32BE(100);
    if (headerLength < 104 || headerLength > buf.length) throw new Error(`qcow2 header length ${headerLength} is impossible`);
  }
  if (backingOffset !== 0 && (backingLength === 0 || backingLength > MAX_BACKING_NAME)) {
    throw new Error(`the backing file name is ${backingLength} bytes long`);
  }
  let backingFormat: string | undefined;
  let dataFileExtension = false;
  // Header extensions: type, length, data padded to 8 bytes, until type 0.
  for (let at = headerLength, n = 0; at + 8 <= buf.length && n < 1024; n++) {
    const type = buf.readUInt32BE(at);
    const length = buf.readUInt32BE(at + 4);
    if (type === EXT_END) break;
    if (at + 8 + length > buf.length) throw new Error("a qcow2 header extension runs past the header");
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === EXT_BACKING_FORMAT) backingFormat = data.toString("latin1");
    if (type === EXT_DATA_FILE) dataFileExtension = true;
    at += 8 + Math.ceil(length / 8) * 8;
  }
  return {
    version,
    virtualSizeBytes,
    ...(backingOffset !== 0 ? { backingName: { offset: backingOffset, length: backingLength } } : {}),
    ...(backingFormat !== undefined ? { backingFormat } : {}),
    externalDataFile: (incompatible & 4n) !== 0n || dataFileExtension,
    encryption,
  };
}
