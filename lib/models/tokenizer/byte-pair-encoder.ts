// Byte-level BPE as in CLIP's simple_tokenizer.py: a piece's UTF-8 bytes become one symbol each
// (the last one marked with "</w>"), then the adjacent pair with the lowest merge rank is merged
// everywhere, again and again, until no adjacent pair has a rank.
//
// Symbols are vocabulary ids rather than strings, so a pair lookup is one number key; this gives
// the same result because the vocabulary maps each symbol string to one id.

export const END_OF_WORD = "</w>";

/**
 * bytes_to_unicode: a printable character for every byte, so BPE symbols are readable strings.
 * Printable Latin-1 bytes stand for themselves; the others map to U+0100 onwards, in byte order.
 * The order of this list is also the order of the first 256 vocabulary entries.
 */
export function byteCharacters(): { byte: number; char: string }[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const out = printable.map((b) => ({ byte: b, char: String.fromCodePoint(b) }));
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!printable.includes(b)) out.push({ byte: b, char: String.fromCodePoint(256 + n++) });
  }
  return out;
}

export interface BpeVocabulary {
  /** Symbol string (byte characters, maybe ending in "</w>") -> id. */
  vocab: ReadonlyMap<string, number>;
  /** Merge rules, best (lowest rank) first. */
  merges: ReadonlyArray<readonly [string, string]>;
}

export class BytePairEncoder {
  // id of each byte's symbol, inside a piece and at its end ("</w>")
  private readonly byteId = new Int32Array(256);
  private readonly lastByteId = new Int32Array(256);
  private readonly pairKeyBase: number;
  private readonly rankOfPair = new Map<number, number>();
  private readonly mergedIdOfRank: Int32Array;

  constructor({ vocab, merges }: BpeVocabulary) {
    const idOf = (symbol: string, what: string): number => {
      const id = vocab.get(symbol);
      if (id === undefined) throw new Error(`the vocabulary has no entry for ${what} ${JSON.stringify(symbol)}`);
      return id;
    };
    for (const { byte, char } of byteCharacters()) {
      this.byteId[byte] = idOf(char, `byte 0x${byte.toString(16)}`);
      this.lastByteId[byte] = idOf(char + END_OF_WORD, `byte 0x${byte.toString(16)} at a word end`);
    }
    let maxId = 0;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.pairKeyBase = maxId + 1;
    this.mergedIdOfRank = new Int32Array(merges.length);
    merges.forEach(([first, second], rank) => {
      const what = `merge ${rank + 1} (${first} ${second})`;
      // A repeated pair keeps its later rank, like the reference's dict(zip(merges, range(...))).
      this.rankOfPair.set(this.pairKey(idOf(first, what), idOf(second, what)), rank);
      this.mergedIdOfRank[rank] = idOf(first + second, `the result of ${what}`);
    });
  }

  private pairKey(first: number, second: number): number {
    return first * this.pairKeyBase + second;
  }

  /** The ids of one piece, given its UTF-8 bytes (at least one). */
  encodePiece(bytes: Uint8Array): number[] {
    let word: number[] = new Array(bytes.length);
    for (let i = 0; i < bytes.length - 1; i++) word[i] = this.byteId[bytes[i]];
    word[bytes.length - 1] = this.lastByteId[bytes[bytes.length - 1]];

    while (word.length > 1) {
      let bestRank = Infinity;
      let first = -1;
      let second = -1;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.rankOfPair.get(this.pairKey(word[i], word[i + 1]));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          first = word[i];
          second = word[i + 1];
        }
      }
      if (bestRank === Infinity) break;
      const merged = this.mergedIdOfRank[bestRank];
      // Merge every occurrence, left to right, never overlapping (as in "a a a" -> "aa a").
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
          next.push(merged);
          i++;
        } else {
          next.push(word[i]);
        }
      }
      word = next;
    }
    return word;
  }
}
