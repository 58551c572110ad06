// Reads every layer of an ImageSource and collects what the tests compare: the paths seen and the
// entry count per layer.
import type { ImageSource } from '../../src/image/source.ts';

export async function readAllLayers(src: ImageSource): Promise<{ paths: Set<string>; entries: number[]; bytes: number }> {
  const paths = new Set<string>();
  const entries: number[] = [];
  let bytes = 0;
  for (const l of src.layers) {
    const st = await src.readLayer(l.index, async (e) => {
      paths.add(e.path);
    });
    entries.push(st.entries);
    bytes += st.bytes;
  }
  return { paths, entries, bytes };
}
