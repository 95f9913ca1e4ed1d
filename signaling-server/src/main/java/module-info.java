/** Duet signaling server: the relay. */
module dev.duet.signaling.server {
    requires transitive dev.duet.signaling.client;
    requires transitive dev.duet.turn;
    requires transitive dev.duet.attendance;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.websocket.api;
    requires org.eclipse.jetty.websocket.server;
    requires org.slf4j;
    requires static redis.clients.jedis; // only with redis(...): an optional dependency
    requires transitive java.sql; // JdbcAttendanceStore takes a javax.sql.DataSource
    requires java.net.http;
    requires com.fasterxml.jackson.databind;

    exports dev.duet.signaling.server;
}
