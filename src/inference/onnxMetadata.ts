/**
 * Reads ModelProto.metadata_props (field 14: repeated {key=1, value=2}) from ONNX bytes with a
 * minimal protobuf wire reader; onnxruntime-node does not expose custom metadata. Skips the graph
 * (field 7) by its length, so even large models parse in microseconds once read.
 */

/** Key/value metadata of an ONNX model; empty when it has none. Throws on bytes that are not protobuf. */
export function readOnnxMetadata(bytes: Uint8Array, where = 'model'): Record<string, string> {
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new Error(`${where}: truncated protobuf varint at byte ${pos}; the file is not a complete ONNX model.`);
      const b = bytes[pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new Error(`${where}: malformed protobuf varint at byte ${pos}; the file is not an ONNX model.`);
  };
  const fields = (end: number, onField: (field: number, start: number, len: number) => void) => {
    while (pos < end) {
      const tag = varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const len = varint();
        const start = pos;
        if (start + len > end) throw new Error(`${where}: protobuf field ${field} runs past the end of the file (byte ${start} + ${len}); the file is truncated or not an ONNX model.`);
        onField(field, start, len);
        pos = start + len;
      } else throw new Error(`${where}: unexpected protobuf wire type ${wire} at byte ${pos}; the file is not an ONNX model.`);
      if (field === 0) throw new Error(`${where}: protobuf field number 0 at byte ${pos}; the file is not an ONNX model.`);
    }
    if (pos !== end) throw new Error(`${where}: protobuf message overruns its end; the file is truncated or not an ONNX model.`);
  };
  fields(bytes.length, (field, start, len) => {
    if (field !== 14) return;
    let key = '';
    let value = '';
    const outer = pos;
    pos = start;
    fields(start + len, (f, s, l) => {
      if (f === 1) key = dec.decode(bytes.subarray(s, s + l));
      if (f === 2) value = dec.decode(bytes.subarray(s, s + l));
    });
    pos = outer;
    out[key] = value;
  });
  return out;
}
