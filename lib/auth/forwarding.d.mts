// Types for forwarding.mjs (plain JavaScript: bin/web-server.mjs runs it without a TypeScript loader).
import type { IncomingMessage, ServerResponse } from "node:http";

export const CLIENT_IP_HEADER: "x-fieldmark-client-ip";

export type TrustedProxies = {
  /** the entries as given */
  entries: string[];
  /** whether a connection from this address is from a trusted proxy */
  has(address: string | undefined): boolean;
};

export function parseTrustedProxies(value: string | undefined): TrustedProxies;

export function acceptForwarding(
  req: Pick<IncomingMessage, "headers"> & { socket?: { remoteAddress?: string; encrypted?: boolean } | null },
  trusted: TrustedProxies,
): { client: string | undefined; https: boolean };

export function secureCookies(res: ServerResponse): void;
