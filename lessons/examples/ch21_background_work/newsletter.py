"""Worked example for chapter 21: a newsletter that sends its welcome mail in the background.

The sign-up is stored and committed in the request; the welcome mail goes out after the
response, in a job that opens its own session and logs its own failures.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, cast

from fastapi import BackgroundTasks, Depends, FastAPI, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

log = logging.getLogger(__name__)
MAIL_SECONDS = 0.2  # how long the (pretend) mail service takes


class Base(DeclarativeBase):
    pass


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(255))


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(20))


def make_app(database_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_async_engine(database_url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            app.state.session_factory = async_sessionmaker(engine, expire_on_commit=False)
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="Newsletter", lifespan=lifespan)
    app.post("/subscribers", status_code=status.HTTP_201_CREATED)(subscribe)
    return app


def session_factory(request: Request) -> async_sessionmaker[AsyncSession]:
    return cast(async_sessionmaker[AsyncSession], request.app.state.session_factory)


Factory = Annotated[async_sessionmaker[AsyncSession], Depends(session_factory)]


async def request_session(factory: Factory) -> AsyncIterator[AsyncSession]:
    async with factory() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(request_session)]


class MailRefused(Exception):
    pass


async def mail_service(address: str) -> None:
    await asyncio.sleep(MAIL_SECONDS)
    if address.endswith(".invalid"):
        raise MailRefused(address)


async def welcome(
    factory: async_sessionmaker[AsyncSession], subscriber_id: int, address: str
) -> None:
    """The background job: it gets the session *factory*, never the request's session."""
    try:
        await mail_service(address)
    except MailRefused:
        log.exception("Welcome mail for subscriber %s was refused", subscriber_id)
        outcome = "refused"
    else:
        outcome = "delivered"
    async with factory() as session:  # the job's own session, for the job's own write
        session.add(Delivery(subscriber_id=subscriber_id, outcome=outcome))
        await session.commit()


class SubscriberIn(BaseModel):
    address: str = Field(min_length=3, max_length=255)


class SubscriberOut(SubscriberIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


async def subscribe(
    body: SubscriberIn, session: DbSession, factory: Factory, jobs: BackgroundTasks
) -> SubscriberOut:
    subscriber = Subscriber(address=body.address)
    session.add(subscriber)
    await session.commit()  # stored before the response: the 201 is true
    jobs.add_task(welcome, factory, subscriber.id, subscriber.address)  # runs after the response
    return SubscriberOut.model_validate(subscriber)
