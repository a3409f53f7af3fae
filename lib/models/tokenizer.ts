// The CLIP text tokenizer, token for token the same as OpenAI CLIP's simple_tokenizer.py (and so
// OpenCLIP's): cleaning, lowercasing, splitting, byte-level BPE. The pieces live in ./tokenizer/.
import { BytePairEncoder } from "./tokenizer/byte-pair-encoder";
import { cleanClipText, splitClipPieces } from "./tokenizer/clip-text";
import { END_OF_TEXT, readClipVocabulary, START_OF_TEXT, type ClipVocabulary } from "./tokenizer/vocabulary-files";

export { cleanClipText } from "./tokenizer/clip-text";
export {
  readClipVocabulary,
  vocabularyFromMerges,
  vocabularyFromTokenizerJson,
  VOCABULARY_FILE_NAMES,
  type ClipVocabulary,
} from "./tokenizer/vocabulary-files";

/** Tokens the CLIP text towers take (positions in their embedding table). */
export const CLIP_CONTEXT_LENGTH = 77;

export interface ClipTokenizerOptions {
  /**
   * Id put after the end token up to the context length. OpenAI CLIP and OpenCLIP pad with 0 (the
   * default); Hugging Face exports pad with 49407 (the end token). With a causal mask and the
   * embedding read at the end token, as CLIP towers do, the padding value does not change the
   * embedding; it matters only for models that read another position or attend to padding.
   */
  padId?: number;
  /** Pieces remembered with their ids; the cache is emptied when it fills (default 100,000). */
  cacheSize?: number;
}

export interface ModelInput {
  /** Start, tokens, end, then padding: exactly contextLength ids. */
  inputIds: number[];
  /** 1 for the start, text and end tokens, 0 for padding. */
  attentionMask: number[];
}

export class ClipTokenizer {
  readonly startId: number;
  readonly endId: number;
  readonly padId: number;
  readonly source: string;
  private readonly bpe: BytePairEncoder;
  private readonly utf8 = new TextEncoder();
  private readonly pieceCache = new Map<string, number[]>();
  private readonly cacheSize: number;

  constructor(vocabulary: ClipVocabulary, options: ClipTokenizerOptions = {}) {
    try {
      this.bpe = new BytePairEncoder(vocabulary);
    } catch (e) {
      throw new Error(`${vocabulary.source}: ${(e as Error).message}`);
    }
    this.startId = vocabulary.startId;
    this.endId = vocabulary.endId;
    this.source = vocabulary.source;
    this.padId = options.padId ?? 0;
    this.cacheSize = options.cacheSize ?? 100_000;
  }

  /** The ids of the text between the start and end tokens. */
  encodeText(text: string): number[] {
    const ids: number[] = [];
    for (const piece of splitClipPieces(cleanClipText(text))) {
      for (const id of this.encodePiece(piece)) ids.push(id);
    }
    return ids;
  }

  /** Start token, the text's tokens, end token; never truncated. */
  encode(text: string): number[] {
    return [this.startId, ...this.encodeText(text), this.endId];
  }

  /**
   * What a CLIP text tower takes: at most contextLength tokens, cut like OpenCLIP (truncate, then
   * the last kept token becomes the end token, so the tower still finds it), padded with padId.
   */
  encodeForModel(text: string, contextLength = CLIP_CONTEXT_LENGTH): ModelInput {
    if (!Number.isInteger(contextLength) || contextLength < 2)
      throw new Error(`context length must be an integer of at least 2, got ${contextLength}`);
    const ids = this.encode(text);
    if (ids.length > contextLength) {
      ids.length = contextLength;
      ids[contextLength - 1] = this.endId;
    }
    const inputIds = new Array<number>(contextLength).fill(this.padId);
    const attentionMask = new Array<number>(contextLength).fill(0);
    for (let i = 0; i < ids.length; i++) {
      inputIds[i] = ids[i];
      attentionMask[i] = 1;
    }
    return { inputIds, attentionMask };
  }

  private encodePiece(piece: string): number[] {
    // The reference's cache starts with the two special tokens, so text that spells them out
    // encodes to their ids.
    if (piece === START_OF_TEXT) return [this.startId];
    if (piece === END_OF_TEXT) return [this.endId];
    let ids = this.pieceCache.get(piece);
    if (ids === undefined) {
      ids = this.bpe.encodePiece(this.utf8.encode(piece));
      if (this.pieceCache.size >= this.cacheSize) this.pieceCache.clear();
      this.pieceCache.set(piece, ids);
    }
    return ids;
  }
}

/**
 * A tokenizer from a merges file (bpe_simple_vocab_16e6.txt.gz, gzipped or not), a Hugging Face
 * tokenizer.json of a CLIP-family model, or a model folder holding either.
 */
export function loadClipTokenizer(location: string, options: ClipTokenizerOptions = {}): ClipTokenizer {
  return new ClipTokenizer(readClipVocabulary(location), options);
}
