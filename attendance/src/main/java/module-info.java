/**
 * Duet attendance: the durable attendance stores, settling a closed session into a report and a
 * charge, their JSON form, and the signed session webhook. A billing backend needs this and
 * duet-core, and no relay, no WebSocket library and no native code.
 */
module dev.duet.attendance {
    requires transitive dev.duet.core;
    requires transitive java.sql; // JdbcAttendanceStore takes a javax.sql.DataSource
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.duet.attendance;
}
