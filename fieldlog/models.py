"""The tables of Fieldlog, in SQLAlchemy 2 style."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .rules.counting import TIME_RULES  # noqa: F401  (re-exported)

ROLES = ("officer", "supervisor", "coordinator", "admin", "municipal")
OWNERS = ("polisen", "kommunen", "gemensamt")
ENTRY_STATUSES = ("pending", "approved", "rejected", "withdrawn")
FOLLOW_UP_STATES = ("genomfort", "pagar", "ej_paborjat")


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and read back as aware UTC, on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must be timezone-aware")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class PoliceArea(db.Model):
    """A local police area (lokalpolisområde)."""

    __tablename__ = "police_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="police_area", order_by="Municipality.name"
    )


class Municipality(db.Model):
    """A municipality (kommun), known by its four-digit code."""

    __tablename__ = "municipality"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_area.id"), index=True)
    police_area: Mapped[PoliceArea] = relationship(back_populates="municipalities")
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="municipality", order_by="Commitment.valid_from"
    )


class ActivityType(db.Model):
    """What was done (fotpatrull, skolbesök, …) and the counts it records."""

    __tablename__ = "activity_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    metrics: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Swedish labels of some metrics ({name: label}); a metric without one reads as its name.
    metric_labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    default_minutes: Mapped[int] = mapped_column(Integer, default=60)

    def metric_label(self, name: str) -> str:
        """The Swedish label of a metric, or its name."""
        return (self.metric_labels or {}).get(name) or name


class TimeWindow(db.Model):
    """A named time window a promise counts in, such as Friday and Saturday evenings
    (CONTRACT.md, Version 2, "time_windows"; the rule is rules.windows.TimeWindow)."""

    __tablename__ = "time_window"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    days: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    holidays: Mapped[bool] = mapped_column(Boolean, default=False)

    def rule(self):
        """The window as the rule that judges a start (rules.windows.TimeWindow)."""
        from .rules.windows import TimeWindow as Rule

        return Rule.from_names(self.days, self.starts, self.ends, self.holidays)


# The municipalities a commitment covers: one, or several for a joint agreement.
commitment_municipality = Table(
    "commitment_municipality",
    db.metadata,
    Column("commitment_id", ForeignKey("commitment.id"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id"), primary_key=True, index=True),
)


class Commitment(db.Model):
    """A signed medborgarlöfte for a period: of one municipality (its whole area, or one
    ``district`` of it), or joint for several municipalities of one police area.

    ``municipality`` is the first municipality the agreement names; ``municipalities``
    all it covers, the first included.
    """

    __tablename__ = "commitment"
    __table_args__ = (CheckConstraint("valid_to >= valid_from", name="valid_period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    until_superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    signatories: Mapped[list[str]] = mapped_column(JSON, default=list)
    district: Mapped[str | None] = mapped_column(String(120))
    municipality: Mapped[Municipality] = relationship(back_populates="commitments")
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=commitment_municipality, order_by="Municipality.code"
    )
    promises: Mapped[list[Promise]] = relationship(
        back_populates="commitment", order_by="Promise.position"
    )

    @property
    def joint(self) -> bool:
        """Whether the agreement covers several municipalities (their promises count jointly)."""
        return len(self.municipalities) > 1


class Promise(db.Model):
    """One line of a commitment; countable when it names an activity."""

    __tablename__ = "promise"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(20))
    activity_type_id: Mapped[int | None] = mapped_column(ForeignKey("activity_type.id"))
    place_hint: Mapped[str | None] = mapped_column(String(200))
    # Where the promise is kept: an entry names one of these places (empty: any place).
    places: Mapped[list[str]] = mapped_column(JSON, default=list)
    # obekvam_tid, the code of a TimeWindow, or None.
    time_rule: Mapped[str | None] = mapped_column(String(40))
    commitment: Mapped[Commitment] = relationship(back_populates="promises")
    activity_type: Mapped[ActivityType | None] = relationship()
    targets: Mapped[list[PromiseTarget]] = relationship(
        order_by="PromiseTarget.from_year", cascade="all, delete-orphan"
    )

    def target_in(self, year: int):
        """The target in force in ``year`` (rules.progress.Target), or None (rule 5)."""
        from .rules.progress import Target, target_in_year

        return target_in_year(
            [(t.from_year, Target(t.count, t.per, t.each_place)) for t in self.targets], year
        )

    def yearly_target_in(self, year: int) -> int | None:
        """N when the target of ``year`` is N per year, else None (v1's ``yearly_target``)."""
        target = self.target_in(year)
        return target.count if target is not None and target.per == "year" else None


class PromiseTarget(db.Model):
    """A promise's target from ``from_year`` on: at least ``count`` per ``per`` (rule 5)."""

    __tablename__ = "promise_target"
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id"), primary_key=True)
    from_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    per: Mapped[str] = mapped_column(String(10), default="year")
    each_place: Mapped[bool] = mapped_column(Boolean, default=False)


# One row: a random text set anew by triggers whenever a row of an agreement's tables
# changes (migration 0007), so that a process knows when its snapshot of them is old
# (services/catalogue.py). NULL, or no row, until the first change.
catalogue_stamp = Table(
    "catalogue_stamp",
    db.metadata,
    Column("id", Integer, primary_key=True),
    Column("stamp", String(40)),
)


# The municipalities a municipal user works for (CONTRACT.md, "Roles").
user_municipality = Table(
    "user_municipality",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A person who logs in: officer, supervisor, coordinator or admin of a police area, or
    municipal staff of one or more municipalities of one police area."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    police_area_id: Mapped[int | None] = mapped_column(ForeignKey("police_area.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on deactivation or password reset: sessions carrying an older value stop working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    police_area: Mapped[PoliceArea | None] = relationship()
    # Only for the municipal role; their police area is that of these municipalities.
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=user_municipality, order_by="Municipality.name"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The session identity: id and epoch, so a reset or deactivation ends old sessions."""
        return f"{self.id}:{self.session_epoch}"

    def set_password(self, password: str) -> None:
        """Store a slow salted hash of the password."""
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds one of the roles."""
        return self.role in roles


class ApiToken(db.Model):
    """A bearer token for the API, stored only as its SHA-256."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        """A fresh random token to hand out once."""
        return secrets.token_urlsafe(32)


class Entry(db.Model):
    """One logged activity against a promise, identified forever by the phone's client_id."""

    __tablename__ = "entry"
    __table_args__ = (
        CheckConstraint("officers >= 1", name="officers_positive"),
        Index("ix_entry_promise_year_status", "promise_id", "year", "status"),
        Index("ix_entry_author_status", "author_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    # Null once retention has removed the entry's personal data (services/retention.py).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id"))
    # Where it was done: the promise's municipality, or for a joint agreement the one named.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The local calendar day and year of started_at (rule 2), kept for the tallies.
    day: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    # Whether started_at lies inside the promise's time rule (rule 3; true without one),
    # kept for the tallies and recomputed by ``tally rebuild`` (rules.counting.in_window).
    in_window: Mapped[bool] = mapped_column(Boolean)
    place: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    officers: Mapped[int] = mapped_column(Integer, default=1)
    metrics: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    promise: Mapped[Promise] = relationship()
    municipality: Mapped[Municipality] = relationship()


class Tally(db.Model):
    """Kept counts of one promise in one municipality, for one local day (``span`` "day") or
    one calendar year (``span`` "year", ``day`` its 1 January); changed only by atomic SQL in
    the transaction of each entry change, both spans in the same statement
    (services/tallies.py).

    ``measure`` "" counts entries (each adds 1); a metric's name sums that metric
    over the same entries. ``place`` is the entry's place for a promise with a
    places list, else "". Weeks, tertials and other periods are sums of day rows.
    """

    __tablename__ = "tally"
    # On SQLite the rows are stored in key order (no rowid), so a promise's days are read
    # as one range of the table itself.
    __table_args__ = {"sqlite_with_rowid": False}
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id"), primary_key=True)
    span: Mapped[str] = mapped_column(String(4), primary_key=True, default="day")
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), primary_key=True)
    place: Mapped[str] = mapped_column(String(200), primary_key=True, default="")
    measure: Mapped[str] = mapped_column(String(80), primary_key=True, default="")
    counted: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class PromiseFollowUp(db.Model):
    """A coordinator's yearly word on a promise without an activity (genomfört, pågår, …)."""

    __tablename__ = "promise_follow_up"
    __table_args__ = (UniqueConstraint("promise_id", "year", name="uq_promise_follow_up_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id"))
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    promise: Mapped[Promise] = relationship()


class AuditEvent(db.Model):
    """An append-only record of who did what, with the before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(80), default="")
    police_area_id: Mapped[int | None] = mapped_column(ForeignKey("police_area.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(64))
    # The chain (services/audit_chain.py): the hash of the event before this one in id
    # order, and this event's own hash over its columns and prev_hash. No two events
    # may follow the same one, so a fork of the chain is refused by the database.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[User | None] = relationship()
