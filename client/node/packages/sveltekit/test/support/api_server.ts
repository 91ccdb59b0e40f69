// A tiny resource server, as a team's API would be: @tessera-auth/node's
// tesseraAuth middleware in front of a few routes, with its own Verifier.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  Client,
  TokenInvalidError,
  Verifier,
  answerForError,
  sendAnswer,
  tesseraAuth,
  type AuthenticatedRequest,
} from "@tessera-auth/node";

export class ApiServer {
  /** Requests per route ("/me", "/items", "/always401"). */
  readonly hits = new Map<string, number>();
  private constructor(
    private readonly server: Server,
    private readonly verifier: Verifier,
    readonly origin: string,
  ) {}

  static async start(tesseradAddress: string): Promise<ApiServer> {
    const verifier = new Verifier({ source: new Client({ address: tesseradAddress }), issuer: "tessera" });
    const auth = tesseraAuth(verifier);
    let api: ApiServer | undefined;
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const route = path.startsWith("/items/") ? "/items" : path;
      api!.hits.set(route, (api!.hits.get(route) ?? 0) + 1);
      if (route === "/always401") {
        // Refuses every token as expired, whatever it is.
        sendAnswer(res, answerForError(new TokenInvalidError("EXPIRED", "always")));
        return;
      }
      auth(req, res, () => {
        const claims = (req as AuthenticatedRequest).tessera!;
        res.setHeader("content-type", "application/json");
        if (route === "/me") {
          res.end(JSON.stringify({ subject: claims.subject, name: claims.custom["name"] ?? "" }));
        } else if (route === "/items") {
          res.end(JSON.stringify({ n: Number(path.slice("/items/".length)), subject: claims.subject }));
        } else {
          res.statusCode = 404;
          res.end("{}");
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    api = new ApiServer(server, verifier, `http://127.0.0.1:${port}`);
    return api;
  }

  hitsOf(route: string): number {
    return this.hits.get(route) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    await this.verifier.close();
  }
}
