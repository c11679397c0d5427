package cn.tianfu.databus.server.service;

import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a query for a key is answered when the bus runs on several nodes: by the router instance that owns the key's
 * latest state (its active host, Kafka Streams' {@code queryMetadataForKey}). This node answers when it is the owner
 * (or no node announces an address: one node without {@code application.server}); otherwise the request is forwarded
 * to the owner's HTTP API once — a forwarded request is never forwarded again, and is refused (retry) when the
 * ownership moved on the way.
 */
public final class OwnerRouting {

    /** What to do with a request. */
    public sealed interface Decision permits Local, Forward, Unavailable {
    }

    /** Answer here, from this node's stores. */
    public record Local() implements Decision {
    }

    /** Forward the request to the owner's HTTP API. */
    public record Forward(HostInfo owner) implements Decision {
    }

    /** Nobody can answer now (the router is rebalancing, or the key's owner moved); retry. */
    public record Unavailable(String reason) implements Decision {
    }

    private OwnerRouting() {
    }

    /**
     * @param metadata  the key's metadata from the router (null: the store is not known to it yet, answer here)
     * @param self      this node's address as the router announces it ({@code application.server})
     * @param forwarded whether the request was forwarded by another node
     */
    public static Decision decide(KeyQueryMetadata metadata, HostInfo self, boolean forwarded) {
        if (metadata == null) {
            return new Local();
        }
        if (metadata == KeyQueryMetadata.NOT_AVAILABLE || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            return new Unavailable("the router is rebalancing its state; retry in a moment");
        }
        HostInfo owner = metadata.activeHost();
        if (owner == null || owner.equals(self) || owner.equals(HostInfo.unavailable())) {
            return new Local();
        }
        if (forwarded) {
            return new Unavailable("the key's state moved to another node while the request was forwarded; retry");
        }
        return new Forward(owner);
    }
}
