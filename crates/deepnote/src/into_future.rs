//! Awaiting a builder sends it: one macro writes the `IntoFuture` of every builder whose
//! `send(self)` does the work, so each awaitable behaves the same way.

/// `send_on_await!(Builder => Output, ...)`: awaiting a `Builder` is `builder.send()`, whose
/// output is `Result<Output>`.
macro_rules! send_on_await {
    ($($builder:ty => $output:ty),+ $(,)?) => {$(
        impl ::std::future::IntoFuture for $builder {
            type Output = $crate::error::Result<$output>;
            type IntoFuture = ::std::pin::Pin<
                Box<dyn ::std::future::Future<Output = $crate::error::Result<$output>> + Send>,
            >;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    )+};
}

pub(crate) use send_on_await;
