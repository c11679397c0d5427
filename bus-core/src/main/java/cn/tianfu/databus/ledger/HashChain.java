package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.CanonicalWriter;
import cn.tianfu.databus.ledger.internal.EntryHasher;
import cn.tianfu.databus.ledger.internal.Hex;

/**
 * The hash chain of one exchange-log partition: each entry's {@code hash} is
 * {@code SHA-256(prevHash || canonicalBytes(entry))} with {@code prevHash} the previous entry's hash as 32 raw bytes,
 * or 32 zero bytes ({@link #GENESIS}) for a partition's first entry.
 *
 * <pre>{@code
 * HashChain chain = HashChain.resume(lastEntry.hash(), count);   // or HashChain.genesis()
 * ExchangeEntry chained = chain.append(entry);                   // prevHash and hash set
 * }</pre>
 *
 * Not thread-safe: one instance per log partition, used by the one task that writes it.
 */
public final class HashChain {

    /** The {@code prevHash} of a partition's first entry: 32 zero bytes, in hex. */
    public static final String GENESIS = "0".repeat(2 * EntryHasher.LENGTH);

    private final EntryHasher hasher = new EntryHasher();
    private final CanonicalWriter writer = new CanonicalWriter();
    private final byte[] head = new byte[EntryHasher.LENGTH];
    private final byte[] next = new byte[EntryHasher.LENGTH];
    private String headHex;
    private long entryCount;

    private HashChain(String headHex, long entryCount) {
        if (!Hex.decode(headHex, head)) {
            throw new LedgerException("Chain head '" + headHex + "' is not a SHA-256 hash in hex (64 characters)");
        }
        this.headHex = headHex.toLowerCase(java.util.Locale.ROOT);
        this.entryCount = entryCount;
    }

    /** A chain for a partition with no entries yet. */
    public static HashChain genesis() {
        return new HashChain(GENESIS, 0);
    }

    /** A chain continuing after an entry whose hash is {@code headHash}, {@code entryCount} entries in. */
    public static HashChain resume(String headHash, long entryCount) {
        return new HashChain(headHash, entryCount);
    }

    /** Chains an entry: returns it with {@code prevHash} = the current head and its {@code hash}; advances the head. */
    public ExchangeEntry append(ExchangeEntry entry) {
        CanonicalEncoding.writeEntry(writer, entry);
        hasher.hash(head, writer.buffer(), writer.size(), next);
        String hashHex = Hex.encode(next);
        ExchangeEntry chained = entry.withChain(headHex, hashHex);
        System.arraycopy(next, 0, head, 0, head.length);
        headHex = hashHex;
        entryCount++;
        return chained;
    }

    /** Hash of the last appended entry ({@link #GENESIS} if none). */
    public String head() {
        return headHex;
    }

    /** Number of entries chained, including those before a {@link #resume}. */
    public long entryCount() {
        return entryCount;
    }

    /** {@code SHA-256(prevHash || canonicalBytes(entry))} in hex: what an entry's {@code hash} must be. */
    public static String computeHash(String prevHash, ExchangeEntry entry) {
        return resume(prevHash, 0).append(entry).hash();
    }
}
