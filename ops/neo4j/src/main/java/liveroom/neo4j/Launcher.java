package liveroom.neo4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Starts one Neo4j 5 Community database with its Bolt connector on 127.0.0.1 and authentication off, for
 * liveroom's tests and demo. It prints one "ready" line once Bolt accepts connections and shuts the database
 * down cleanly on SIGTERM or SIGINT, so the data folder can be reused.
 *
 * <p>Arguments: {@code --port N --home DIR [--pagecache 256m]}.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 7687;
    Path home = null;
    long pageCache = ByteUnit.mebiBytes(128);
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--home" -> home = Path.of(args[i + 1]).toAbsolutePath();
        case "--pagecache" -> pageCache = ByteUnit.parse(args[i + 1]);
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (home == null) {
      usage("--home is required");
    }
    if (port < 1 || port > 65535) {
      usage("--port must be 1-65535");
    }
    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
            .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
            .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
            .build();
    // Opening the default database waits for it to be available (store files created, recovery done).
    dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dbms.shutdown();
                  stopped.countDown();
                },
                "liveroom-neo4j-shutdown"));
    System.out.println("liveroom-neo4j ready bolt://127.0.0.1:" + port + " home=" + home);
    System.out.flush();
    stopped.await();
  }

  private static void usage(String problem) {
    System.err.println("liveroom-neo4j: " + problem + " (usage: --port N --home DIR [--pagecache 256m])");
    System.exit(2);
  }
}
