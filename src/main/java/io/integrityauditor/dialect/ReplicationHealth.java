package io.integrityauditor.dialect;

/**
 * The state of a replica's replication from the primary, checked once per audit.
 *
 * @param state what the replica is doing
 * @param lagSeconds how long the replica took to apply the primary's position read at the start of
 *     the check (measured from positions, so an idle primary shows no lag); null when unknown
 * @param message what was seen, for on-call
 */
public record ReplicationHealth(State state, Double lagSeconds, String message) {

  /** Replication states; all but STREAMING and UNKNOWN are findings. */
  public enum State {
    /** Replicating, and applied the primary's position within the lag bound. */
    STREAMING,
    /** Replication threads stopped, WAL receiver down, or replay paused. */
    STOPPED,
    /** Replicating, but did not apply the primary's position within the lag bound. */
    LAGGING,
    /**
     * Not a replica of the primary (an independent or ETL copy, another database of the primary's
     * own server): compared directly, not a finding by itself.
     */
    NOT_A_REPLICA,
    /**
     * Was a replica of the primary and now writes history of its own: a promoted standby, a replica
     * with its own transactions (split brain).
     */
    FORKED,
    /** This engine offers no check, or the check could not run. */
    UNKNOWN
  }

  public boolean isFinding() {
    return state == State.STOPPED || state == State.LAGGING || state == State.FORKED;
  }

  public static ReplicationHealth of(State state, Double lag, String message) {
    return new ReplicationHealth(state, lag, message);
  }
}
