/** Types for seek-bzip 2 (no bundled types): the one entry point mamori uses. */
declare module 'seek-bzip' {
  interface OutputStream {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    decode(input: Buffer, output: OutputStream, multistream?: boolean): void;
  };
  export default Bunzip;
}
