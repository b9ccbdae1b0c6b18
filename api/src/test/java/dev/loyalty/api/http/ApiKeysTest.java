package dev.loyalty.api.http;

import dev.loyalty.engine.config.EngineConfig.ApiKey;
import dev.loyalty.engine.config.EngineConfig.Scope;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeysTest {

    @Test
    void shouldReadBearerTokenInAnyCase() {
        assertThat(ApiKeys.presented("Bearer s3cret", null)).isEqualTo("s3cret");
        assertThat(ApiKeys.presented("bearer s3cret", null)).isEqualTo("s3cret");
        assertThat(ApiKeys.presented("  BEARER   s3cret  ", null)).isEqualTo("s3cret");
    }

    @Test
    void shouldFallBackToXApiKey() {
        assertThat(ApiKeys.presented(null, "s3cret")).isEqualTo("s3cret");
        assertThat(ApiKeys.presented("Basic dXNlcjpwdw==", "s3cret")).isEqualTo("s3cret");
        assertThat(ApiKeys.presented("Bearer ", " s3cret ")).isEqualTo("s3cret");
    }

    @Test
    void shouldPreferTheAuthorizationHeader() {
        assertThat(ApiKeys.presented("Bearer one", "two")).isEqualTo("one");
    }

    @Test
    void shouldFindNothingWithoutAKey() {
        assertThat(ApiKeys.presented(null, null)).isNull();
        assertThat(ApiKeys.presented("", "  ")).isNull();
        assertThat(ApiKeys.presented("Bearer", null)).isNull();
        assertThat(ApiKeys.presented("Basic abc", null)).isNull();
        assertThat(ApiKeys.presented("Bearers3cret", null)).isNull();
    }

    @Test
    void shouldFindOnlyTheExactKey() {
        ApiKey reader = ApiKey.of("reader", "read-key", Set.of(Scope.READ));
        ApiKey all = ApiKey.of("all", "all-key", Set.of(Scope.READ, Scope.INGEST, Scope.ADMIN));
        ApiKeys keys = new ApiKeys(List.of(reader, all));
        assertThat(keys.find("read-key")).isSameAs(reader);
        assertThat(keys.find("all-key")).isSameAs(all);
        assertThat(keys.find("read-ke")).isNull();
        assertThat(keys.find("read-key ")).isNull();
        assertThat(keys.find("READ-KEY")).isNull();
        assertThat(keys.find("")).isNull();
        assertThat(keys.find(null)).isNull();
    }

    @Test
    void shouldFindAKeyConfiguredByItsDigestOnly() {
        // printf %s hashed-key | sha256sum, as the README tells operators to compute it
        ApiKey hashed = new ApiKey("h", "a4ae87b73fa5645e6aee415a6f72be4dcbd99d057a7b40cb1b867c181d179260",
                Set.of(Scope.READ), null, 0, 1);
        ApiKeys keys = new ApiKeys(List.of(hashed));
        assertThat(keys.find("hashed-key")).isSameAs(hashed);
        assertThat(keys.find(hashed.keySha256())).as("the digest itself is not a key").isNull();
        assertThat(keys.named("h")).isSameAs(hashed);
    }

    @Test
    void shouldNeverShowTheSecretInToString() {
        assertThat(ApiKey.of("shop", "s3cret", Set.of(Scope.INGEST)).toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldAnswerFromTheLastMatchExactlyAsWithoutIt() {
        ApiKey reader = ApiKey.of("reader", "read-key", Set.of(Scope.READ));
        ApiKey all = ApiKey.of("all", "all-key", Set.of(Scope.READ, Scope.INGEST, Scope.ADMIN));
        ApiKeys keys = new ApiKeys(List.of(reader, all));
        ApiKeys.LastMatch last = new ApiKeys.LastMatch();
        assertThat(keys.find("read-key", last)).isSameAs(reader);
        assertThat(keys.find("read-key", last)).isSameAs(reader);
        // near misses of the remembered key: shorter, longer, one char off, a repetition of it
        assertThat(keys.find("read-ke", last)).isNull();
        assertThat(keys.find("read-key ", last)).isNull();
        assertThat(keys.find("read-kez", last)).isNull();
        assertThat(keys.find("read-keyread-key", last)).isNull();
        assertThat(keys.find("", last)).isNull();
        assertThat(keys.find(null, last)).isNull();
        assertThat(keys.find("read-key", last)).as("a wrong key does not evict the last match").isSameAs(reader);
        assertThat(keys.find("all-key", last)).isSameAs(all);
        assertThat(keys.find("read-key", last)).isSameAs(reader);
    }

    @Test
    void shouldCompareWithoutRegardToCommonPrefixes() {
        assertThat(ApiKeys.sameChars("abc", "abc")).isTrue();
        assertThat(ApiKeys.sameChars("abd", "abc")).isFalse();
        assertThat(ApiKeys.sameChars("ab", "abc")).isFalse();
        assertThat(ApiKeys.sameChars("abcabc", "abc")).isFalse();
        assertThat(ApiKeys.sameChars("", "abc")).isFalse();
    }
}
