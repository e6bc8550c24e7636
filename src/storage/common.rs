//! The SQL both databases understand alike (`$n` parameters, `RETURNING`, `ON CONFLICT`), written
//! once and expanded into each backend's [`Storage`](super::Storage) implementation. What differs
//! between the databases (migrations, connection set-up, search) is in each backend's own file as
//! inherent methods that the expansion calls.

/// The columns of a user row, joined with its tenant's name.
pub(crate) const USER_COLUMNS: &str = "u.id, u.tenant_id, t.name AS tenant_name, u.email, \
     u.password_hash, u.role, u.is_active, u.auth_version, u.created_at";

/// Expands into `impl Storage for $backend`, whose pool is `self.pool`.
macro_rules! impl_storage {
    ($backend:ty, $db:ty, $kind:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::Storage for $backend {
            fn backend(&self) -> $crate::storage::Backend {
                $kind
            }

            async fn migrate(&self) -> $crate::storage::StorageResult<()> {
                self.run_migrations().await
            }

            async fn setting(&self, key: &str) -> $crate::storage::StorageResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn setting_or_insert(
                &self,
                key: &str,
                value: &str,
            ) -> $crate::storage::StorageResult<String> {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn create_tenant(
                &self,
                name: &str,
            ) -> $crate::storage::StorageResult<$crate::storage::Tenant> {
                sqlx::query_as(
                    "INSERT INTO tenants (name, name_key, created_at) VALUES ($1, $2, $3) \
                     RETURNING id, name, created_at",
                )
                .bind(name)
                .bind(name.to_lowercase())
                .bind($crate::storage::now())
                .fetch_one(&self.pool)
                .await
                .map_err($crate::storage::conflict_or)
            }

            async fn tenant_by_id(
                &self,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn tenant_by_name(
                &self,
                name: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Tenant>> {
                Ok(sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE name_key = $1")
                    .bind(name.trim().to_lowercase())
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn create_user(
                &self,
                new: &$crate::storage::NewUser,
            ) -> $crate::storage::StorageResult<$crate::storage::User> {
                let now = $crate::storage::now();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (tenant_id, email, email_key, password_hash, role, is_active, \
                     auth_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, 1, $6, $6) \
                     RETURNING id",
                )
                .bind(new.tenant_id)
                .bind(new.email.as_str())
                .bind(new.email.key())
                .bind(&new.password_hash.0)
                .bind(new.role.as_str())
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err($crate::storage::conflict_or)?;
                self.user_by_id(id)
                    .await?
                    .ok_or($crate::storage::StorageError::Database(sqlx::Error::RowNotFound))
            }

            async fn user_by_email_key(
                &self,
                email_key: &str,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ", $crate::storage::common::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email_key = $1"
                );
                Ok(sqlx::query_as(SQL).bind(email_key).fetch_optional(&self.pool).await?)
            }

            async fn user_by_id(
                &self,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ", $crate::storage::common::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1"
                );
                Ok(sqlx::query_as(SQL).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn list_users(
                &self,
                ctx: &$crate::domain::RequestContext,
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::User>> {
                const SQL: &str = const_format::concatcp!(
                    "SELECT ", $crate::storage::common::USER_COLUMNS,
                    " FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = $1 ORDER BY u.id"
                );
                Ok(sqlx::query_as(SQL).bind(ctx.tenant_id).fetch_all(&self.pool).await?)
            }

            async fn update_user(
                &self,
                ctx: &$crate::domain::RequestContext,
                user_id: i64,
                changes: &$crate::storage::UserChanges,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::User>> {
                let bump = changes.is_active.is_some() || changes.password_hash.is_some();
                let updated = sqlx::query(
                    "UPDATE users SET role = COALESCE($3, role), is_active = COALESCE($4, is_active), \
                     password_hash = COALESCE($5, password_hash), \
                     auth_version = auth_version + CASE WHEN $6 THEN 1 ELSE 0 END, updated_at = $7 \
                     WHERE id = $1 AND tenant_id = $2",
                )
                .bind(user_id)
                .bind(ctx.tenant_id)
                .bind(changes.role.map(|r| r.as_str()))
                .bind(changes.is_active)
                .bind(changes.password_hash.as_ref().map(|h| h.0.as_str()))
                .bind(bump)
                .bind($crate::storage::now())
                .execute(&self.pool)
                .await?;
                if updated.rows_affected() == 0 {
                    return Ok(None);
                }
                self.user_by_id(user_id).await
            }

            async fn record_login_failure(
                &self,
                email_key: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<()> {
                sqlx::query("INSERT INTO login_failures (email_key, failed_at) VALUES ($1, $2)")
                    .bind(email_key)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn login_failures_since(
                &self,
                email_key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<i64> {
                sqlx::query("DELETE FROM login_failures WHERE email_key = $1 AND failed_at < $2")
                    .bind(email_key)
                    .bind(since)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM login_failures WHERE email_key = $1 AND failed_at >= $2",
                )
                .bind(email_key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn save_session(
                &self,
                id: &str,
                data: &str,
                expires_at: i64,
            ) -> $crate::storage::StorageResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn load_session(
                &self,
                id: &str,
                now: i64,
            ) -> $crate::storage::StorageResult<Option<(String, i64)>> {
                Ok(sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn delete_session(&self, id: &str) -> $crate::storage::StorageResult<()> {
                sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&self.pool).await?;
                Ok(())
            }

            async fn import_customers(
                &self,
                tenant_id: i64,
                customers: &[$crate::storage::ImportedCustomer],
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::keys;
                let mut written = 0;
                let mut tx = self.begin_write().await?;
                for chunk in customers.chunks(500) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO customers (tenant_id, name, name_key, email, email_key, phone, address, city, \
                         province, postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, \
                         search_text, created_at, updated_at, last_order_date) ",
                    );
                    insert.push_values(chunk, |mut row, c| {
                        let points: i64 = c.history.iter().map(|h| h.delta).sum();
                        row.push_bind(tenant_id)
                            .push_bind(c.name.clone())
                            .push_bind(keys::name_key(&c.name))
                            .push_bind(c.email.as_str().to_owned())
                            .push_bind(c.email.key())
                            .push_bind(c.phone.clone())
                            .push_bind(c.address.clone())
                            .push_bind(c.city.clone())
                            .push_bind(c.province.clone())
                            .push_bind(c.postal_code.clone())
                            .push_bind(points.max(0))
                            .push_bind(c.total_orders)
                            .push_bind(c.total_spent_minor)
                            .push_bind(c.notes.clone())
                            .push_bind(c.is_active)
                            .push_bind(keys::search_text(&c.name, c.email.as_str(), &c.phone))
                            .push_bind(c.created_at)
                            .push_bind(c.created_at)
                            .push_bind(c.last_order_date);
                    });
                    insert.push(" ON CONFLICT (tenant_id, email_key) DO NOTHING RETURNING id, email_key");
                    let ids: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    written += ids.len() as u64;
                    let by_key: std::collections::HashMap<String, i64> =
                        ids.into_iter().map(|(id, key)| (key, id)).collect();
                    let mut entries = Vec::new();
                    for c in chunk {
                        let Some(&id) = by_key.get(&c.email.key()) else { continue };
                        let mut balance = 0_i64;
                        for h in &c.history {
                            balance = (balance + h.delta).max(0);
                            entries.push((id, h, balance));
                        }
                    }
                    for rows in entries.chunks(1000) {
                        let mut ledger = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, \
                             source, user_id, created_at) ",
                        );
                        ledger.push_values(rows, |mut row, (id, h, balance)| {
                            row.push_bind(tenant_id)
                                .push_bind(*id)
                                .push_bind(h.delta)
                                .push_bind(*balance)
                                .push_bind(h.reason.clone())
                                .push_bind(h.source.as_str())
                                .push_bind(None::<i64>)
                                .push_bind(h.at);
                        });
                        ledger.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(written)
            }

            async fn delete_expired_sessions(&self, now: i64) -> $crate::storage::StorageResult<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }
        }
    };
}

pub(crate) use impl_storage;
