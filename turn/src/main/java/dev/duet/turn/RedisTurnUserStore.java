package dev.duet.turn;

import dev.duet.core.internal.Checks;
import java.net.URI;
import java.time.Instant;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * coturn's Redis user database ({@code redis-userdb="ip=... port=... dbname=N"}): key
 * {@code turn/realm/<realm>/user/<name>/key} holding the hex HA1 key, set with an expiry at the
 * credential's end, so a removal that never happens still ends the user. Needs
 * {@code redis.clients:jedis} on the class path.
 */
public final class RedisTurnUserStore implements TurnUserStore {
    private final RedisClient redis;

    /** Connects to {@code uri} ({@code redis://host:port/db}, the database coturn's {@code redis-userdb} names). */
    public RedisTurnUserStore(URI uri) {
        Checks.notNull(uri, "uri");
        this.redis = RedisClient.create(uri);
    }

    static String key(String realm, String name) {
        return "turn/realm/" + realm + "/user/" + name + "/key";
    }

    @Override
    public void put(String realm, String name, String ha1Hex, Instant expiresAt) {
        redis.set(key(realm, name), ha1Hex, SetParams.setParams().exAt(expiresAt.getEpochSecond()));
    }

    @Override
    public void remove(String realm, String name) {
        redis.del(key(realm, name));
    }

    @Override
    public boolean contains(String realm, String name) {
        return redis.exists(key(realm, name));
    }

    @Override
    public void close() {
        redis.close();
    }
}
