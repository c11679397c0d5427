package cn.tianfu.databus.tiers;

import java.util.Map;

import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;

import cn.tianfu.databus.contract.Topics;

/**
 * MirrorMaker 2's topic mapping of the district tiers: the district's deliveries to the city's department,
 * {@code dlv.<city>.<resource>} on the district cluster, become the district's source topics on the city cluster,
 * {@code src.<district>.<resource>} (the district alias is the district's department id on the city bus). Names come
 * from {@link Topics#tierUpward} and {@link Topics#tierDownstreamOrigin}. MirrorMaker's own internal topics keep the
 * default names.
 *
 * <p>Configured by {@value #CITY_DEPARTMENT_CONFIG} (default {@code city}).
 */
public final class TierReplicationPolicy extends DefaultReplicationPolicy {

    /** The city's department id on the district bus. */
    public static final String CITY_DEPARTMENT_CONFIG = "replication.policy.tier.city.department";

    private String cityDepartment = "city";

    @Override
    public void configure(Map<String, ?> props) {
        super.configure(props);
        Object city = props.get(CITY_DEPARTMENT_CONFIG);
        if (city != null) {
            cityDepartment = Topics.checkDepartment(String.valueOf(city));
        }
    }

    @Override
    public String formatRemoteTopic(String sourceClusterAlias, String topic) {
        return Topics.tierUpward(cityDepartment, sourceClusterAlias, topic)
                .orElseGet(() -> super.formatRemoteTopic(sourceClusterAlias, topic));
    }

    /** The district a city source topic came from; null for every other topic (never a cycle on the district). */
    @Override
    public String topicSource(String topic) {
        if (topic == null) {
            return null;
        }
        if (Topics.parseSource(topic).isPresent()) {
            return Topics.parseSource(topic).get().department();
        }
        if (Topics.parseDelivery(topic).isPresent() || topic.startsWith(Topics.SOURCE_PREFIX)
                || topic.startsWith("bus.")) {
            return null;
        }
        return super.topicSource(topic);
    }

    @Override
    public String upstreamTopic(String topic) {
        if (topic == null) {
            return null;
        }
        if (Topics.parseSource(topic).isPresent()) {
            return Topics.tierDownstreamOrigin(cityDepartment, topic).orElse(null);
        }
        if (Topics.parseDelivery(topic).isPresent() || topic.startsWith("bus.")) {
            return null;
        }
        return super.upstreamTopic(topic);
    }
}
