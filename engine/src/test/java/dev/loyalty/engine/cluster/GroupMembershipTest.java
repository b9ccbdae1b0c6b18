package dev.loyalty.engine.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a node finds the other nodes' ids in the group's member client ids. */
class GroupMembershipTest {

    @Test
    void shouldReadTheNodeIdOutOfAMembersClientId() {
        assertThat(GroupMembership.nodeOfClientId("loyalty-node-1.eu_west-group")).isEqualTo("node-1.eu_west");
        assertThat(GroupMembership.nodeOfClientId("loyalty-group-group")).isEqualTo("group");
    }

    @Test
    void shouldIgnoreMembersThatAreNotEngineNodes() {
        assertThat(GroupMembership.nodeOfClientId("loyalty--group")).isNull();
        assertThat(GroupMembership.nodeOfClientId("loyalty-node-1-producer")).isNull();
        assertThat(GroupMembership.nodeOfClientId("console-consumer-1")).isNull();
        assertThat(GroupMembership.nodeOfClientId(null)).isNull();
    }

    @Test
    void shouldNameTheGroupAfterTheTopic() {
        assertThat(GroupMembership.groupId("loyalty-events")).isEqualTo("loyalty-loyalty-events");
    }
}
