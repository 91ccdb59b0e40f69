// tesserad (with its audit log) + the test API + the built app, started and
// stopped together; counters read from tesserad's /metrics and audit log.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@tessera-auth/node";
import { Tesserad } from "../../../core/test/support/tesserad.js";
import { ApiServer } from "./api_server.js";
import { AppServer } from "./app.js";

export class Stack {
  private constructor(
    readonly tesserad: Tesserad,
    readonly api: ApiServer,
    readonly app: AppServer,
    readonly client: Client,
    private readonly auditPath: string,
  ) {}

  static async start(accessTtl: string): Promise<Stack> {
    const auditPath = join(mkdtempSync(join(tmpdir(), "tessera-audit-")), "audit.log");
    const tesserad = await Tesserad.start([`--access_ttl=${accessTtl}`, "--leeway=0s", `--audit_log_file=${auditPath}`]);
    let api: ApiServer | undefined;
    try {
      api = await ApiServer.start(tesserad.grpcAddress);
      const app = await AppServer.start({ tesseradAddress: tesserad.grpcAddress, apiOrigin: api.origin });
      return new Stack(tesserad, api, app, new Client({ address: tesserad.grpcAddress }), auditPath);
    } catch (e) {
      await api?.stop();
      await tesserad.stop();
      throw e;
    }
  }

  /** RefreshSession calls tesserad has answered, any outcome. */
  async refreshCalls(): Promise<number> {
    const text = await (await fetch(`http://${this.tesserad.httpAddress}/metrics`)).text();
    let n = 0;
    for (const m of text.matchAll(/^tessera_grpc_requests_total\{method="[^"]*\/RefreshSession",code="[^"]*"\} (\d+)$/gm)) {
      n += Number(m[1]);
    }
    return n;
  }

  /** Audit lines reporting a reused refresh token. */
  reuseDetected(): number {
    if (!existsSync(this.auditPath)) return 0;
    return readFileSync(this.auditPath, "utf8").split("\n").filter((l) => l.includes("REFRESH_TOKEN_REUSED")).length;
  }

  async stop(): Promise<void> {
    await this.app.stop().catch(() => undefined);
    await this.api.stop().catch(() => undefined);
    await this.tesserad.stop();
  }
}
