"""Timed notices (issue 13): reminders before a booked session, the trainer's day and
pass warnings. Nothing is planned ahead: a periodic scan (`due.send_due`) works out
from the data as it is *now* what is due, and records each notice it queues or drops
under a unique key in the same transaction as its outbox row, so a notice is queued
at most once — across restarts, and with two processes on one database."""
