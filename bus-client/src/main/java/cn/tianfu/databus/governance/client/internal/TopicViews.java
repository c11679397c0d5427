package cn.tianfu.databus.governance.client.internal;

import cn.tianfu.databus.kafka.CompactedTopicReader;
import java.text.Normalizer;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.apache.kafka.common.serialization.Deserializer;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;
import org.apache.avro.specific.SpecificRecord;

/**
 * The catalog view, read straight from {@code bus.catalog} (every department may read it). Requests and grants are not
 * read here: departments have no ACL on {@code bus.requests} and {@code bus.grants}; see {@link HttpViews}.
 */
public final class TopicViews {

    private TopicViews() {
    }

    public static CatalogView catalog(DatabusClientConfig config, Duration timeout) {
        return new Catalog(reader(config, timeout, Topics.CATALOG, CatalogEntry.class, CatalogEntry::getCode));
    }

    /** Lower case, NFKC-normalized (full-width letters and digits become ASCII); Chinese text is unchanged. */
    public static String fold(String s) {
        return s == null ? "" : Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    private static <V extends SpecificRecord> CompactedTopicReader<V> reader(DatabusClientConfig config, Duration timeout, String topic,
            Class<V> type, java.util.function.Function<V, String> keyOf) {
        AvroSerde<V> serde = AvroSerde.specific(type);
        serde.configure(ClientProperties.serde(config, timeout), false);
        Deserializer<V> values = serde.deserializer();
        return new CompactedTopicReader<>(topic, ClientProperties.assignedConsumer(config, timeout), values, keyOf, timeout);
    }

    private abstract static class Base<V> {
        private final CompactedTopicReader<V> reader;
        private volatile Map<String, V> table;

        Base(CompactedTopicReader<V> reader) {
            this.reader = reader;
            try {
                this.table = reader.refresh();
            } catch (RuntimeException e) {
                reader.close();
                throw e;
            }
        }

        public void refresh() {
            table = reader.refresh();
        }

        Optional<V> get(String key) {
            return Optional.ofNullable(table.get(key));
        }

        List<V> select(Predicate<V> filter, Comparator<V> order) {
            return table.values().stream().filter(filter).sorted(order).toList();
        }

        public void close() {
            reader.close();
        }
    }

    private static final class Catalog extends Base<CatalogEntry> implements CatalogView {
        private static final Comparator<CatalogEntry> BY_CODE = Comparator.comparing(CatalogEntry::getCode);

        Catalog(CompactedTopicReader<CatalogEntry> reader) {
            super(reader);
        }

        @Override
        public Optional<CatalogEntry> byCode(String code) {
            return get(code);
        }

        @Override
        public List<CatalogEntry> byProvider(String department) {
            return select(e -> e.getProvider().equals(department), BY_CODE);
        }

        @Override
        public List<CatalogEntry> byCategory(Category category) {
            return select(e -> e.getCategory() == category, BY_CODE);
        }

        @Override
        public List<CatalogEntry> search(String text) {
            String needle = fold(text).strip();
            return select(e -> fold(e.getName()).contains(needle) || fold(e.getSummary()).contains(needle), BY_CODE);
        }

        @Override
        public List<CatalogEntry> all() {
            return select(e -> true, BY_CODE);
        }
    }
}
